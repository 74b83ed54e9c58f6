package org.aoede.transport.afpacket;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.api.Transport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Raw Ethernet through a native Linux AF_PACKET socket (JNA direct mapping): batched
 * {@code recvmmsg}/{@code sendmmsg}, kernel BPF filter. Chosen per export with
 * {@code transport = afpacket}.
 */
@Component(service = Transport.class, property = Transport.TYPE + "=afpacket")
public class AfPacketTransport implements Transport {
    @Activate
    void activate() {
        // Fails activation (and so registers no service) where the native calls do not exist.
        Sys.errno();
    }

    @Override
    public Link open(String interfaceName, FrameHandler handler, Options options) {
        AfPacketLink link = new AfPacketLink(interfaceName, handler, options.receiveBufferBytes());
        link.start();
        return link;
    }
}
