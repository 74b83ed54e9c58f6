package org.aoede.transport.afpacket;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.api.Transport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Raw Ethernet through a native Linux AF_PACKET socket (JNA direct mapping): batched
 * {@code recvmmsg}/{@code sendmmsg}, kernel BPF filter. Chosen per export with
 * {@code transport = afpacket}; tuned by {@code etc/org.aoede.transport.afpacket.cfg} (optional).
 */
@Component(service = Transport.class, property = Transport.TYPE + "=afpacket",
        configurationPid = "org.aoede.transport.afpacket", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = AfPacketTransport.Config.class)
public class AfPacketTransport implements Transport {
    @ObjectClassDefinition(name = "AoEde AF_PACKET transport")
    public @interface Config {
        @AttributeDefinition(name = "busy-poll-us", description = "After a batch, poll without blocking for up to "
                + "this many microseconds before sleeping in the kernel (0: never). Costs CPU while idle-ish; "
                + "saves a sleep and wake-up per batch under load.")
        int busy_poll_us() default DEFAULT_BUSY_POLL_US;

        @AttributeDefinition(name = "qdisc-bypass", description = "Replies go straight to the driver, past the "
                + "interface's queueing discipline (PACKET_QDISC_BYPASS, Linux >= 3.14; ignored with a log line "
                + "if the kernel refuses). Off by default: no gain measured on veth (noqueue), and bypassed frames are "
                + "invisible to tcpdump on this host.")
        boolean qdisc_bypass() default DEFAULT_QDISC_BYPASS;
    }

    static final int DEFAULT_BUSY_POLL_US = 0;
    static final boolean DEFAULT_QDISC_BYPASS = false;
    private volatile int busyPollMicros;
    private volatile boolean qdiscBypass = DEFAULT_QDISC_BYPASS;

    @Activate
    void activate(Config config) {
        // Fails activation (and so registers no service) where the native calls do not exist.
        Sys.errno();
        int us = config.busy_poll_us();
        if (us < 0 || us > 1_000_000) {
            throw new IllegalArgumentException("busy-poll-us must be 0-1000000, got " + us);
        }
        busyPollMicros = us;
        qdiscBypass = config.qdisc_bypass();
    }

    @Override
    public Link open(String interfaceName, FrameHandler handler, Options options) {
        AfPacketLink link = new AfPacketLink(interfaceName, handler, options.receiveBufferBytes(), busyPollMicros,
                qdiscBypass);
        link.start();
        return link;
    }
}
