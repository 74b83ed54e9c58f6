package org.aoede.transport.pcap;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.api.Transport;
import org.osgi.service.component.annotations.Component;

/** Raw Ethernet through libpcap (pcap4j): the portable default transport. */
@Component(service = Transport.class, property = Transport.TYPE + "=pcap")
public class PcapTransport implements Transport {
    @Override
    public Link open(String interfaceName, FrameHandler handler, Options options) {
        PcapLink link = new PcapLink(interfaceName, handler, options.receiveBufferBytes());
        link.start();
        return link;
    }
}
