package org.aoede.api;

/**
 * A way to send and receive raw Ethernet frames of EtherType 0x88A2, registered as an OSGi
 * service with the property {@link #TYPE} (e.g. {@code pcap}).
 */
public interface Transport {
    /** Service property naming the transport, chosen per export in configuration. */
    String TYPE = "aoede.transport";

    /**
     * Opens an interface and delivers its AoE frames to the handler. Never fails because the
     * interface is missing or down: the link reports that through the handler and keeps retrying.
     */
    Link open(String interfaceName, FrameHandler handler, Options options);

    /** Tuning for {@link #open}. */
    record Options(int receiveBufferBytes) {
        public static final Options DEFAULT = new Options(4 << 20);
    }
}
