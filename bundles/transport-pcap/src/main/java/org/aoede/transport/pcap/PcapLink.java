package org.aoede.transport.pcap;

import java.nio.ByteBuffer;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.netif.LinkSupervisor;
import org.aoede.netif.NetInterface;
import org.aoede.protocol.Aoe;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One interface through libpcap: a receive thread calling {@code pcap_dispatch} with a kernel BPF
 * filter for EtherType 0x88A2, inbound direction only, immediate mode. Opening, watching and
 * reopening the interface is the {@link LinkSupervisor}'s, as for AF_PACKET.
 */
public final class PcapLink implements Link, LinkSupervisor.Socket {
    private static final Logger LOG = LoggerFactory.getLogger(PcapLink.class);
    private static final int SNAPLEN = 65535 + 14;

    private final String name;
    private final FrameHandler handler;
    private final int bufferBytes;
    private final LinkSupervisor supervisor;
    private volatile PcapHandle handle;
    private final ThreadLocal<byte[]> sendBuffer = ThreadLocal.withInitial(() -> new byte[SNAPLEN]);

    public PcapLink(String name, FrameHandler handler, int bufferBytes) {
        this.name = name;
        this.handler = handler;
        this.bufferBytes = bufferBytes;
        this.supervisor = new LinkSupervisor(this, handler, this, "aoede-pcap-" + name);
    }

    public void start() {
        supervisor.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isUp() {
        return handle != null && supervisor.isUp();
    }

    @Override
    public String problem() {
        return supervisor.problem();
    }

    @Override
    public long mac() {
        return supervisor.mac();
    }

    @Override
    public int mtu() {
        return supervisor.mtu();
    }

    @Override
    public boolean send(ByteBuffer frame) {
        PcapHandle h = handle;
        if (h == null) {
            return false;
        }
        int len = frame.remaining();
        byte[] bytes;
        if (frame.hasArray() && frame.arrayOffset() == 0 && frame.position() == 0) {
            bytes = frame.array();
        } else {
            bytes = sendBuffer.get();
            frame.get(frame.position(), bytes, 0, len);
        }
        try {
            h.sendPacket(bytes, len);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        supervisor.close();
    }

    @Override
    public void open(NetInterface ni) throws Exception {
        PcapHandle h = new PcapHandle.Builder(name)
                .snaplen(SNAPLEN)
                .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(100)
                .immediateMode(true)
                .bufferSize(bufferBytes)
                .build();
        try {
            h.setDirection(PcapHandle.PcapDirection.IN);
            h.setFilter("ether proto 0x88a2", BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (Exception e) {
            h.close();
            throw e;
        }
        handle = h;
    }

    /**
     * pcap_dispatch: one kernel buffer's worth of frames per call, then the handler hears that the
     * batch ended (write coalescing); 0 on the timeout. {@link #wake()}'s breakLoop ends it with an
     * InterruptedException.
     */
    @Override
    public void receive() throws Exception {
        PcapHandle h = handle;
        RawPacketListener listener = this::deliver;
        while (supervisor.receiving()) {
            try {
                h.dispatch(-1, listener);
            } finally {
                endOfBatch();           // also when breakLoop ended it: nothing stays held
            }
        }
    }

    @Override
    public void wake() {
        PcapHandle h = handle;
        if (h != null) {
            try {
                h.breakLoop();
            } catch (Exception ignored) {
                // closing ends the loop anyway
            }
        }
    }

    @Override
    public void release() {
        PcapHandle h = handle;
        handle = null;
        if (h != null) {
            try {
                h.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    private void endOfBatch() {
        try {
            handler.endOfBatch(this);
        } catch (RuntimeException e) {
            LOG.error("interface {}: frame handler failed at the end of a batch", name, e);
        }
    }

    /** Calls {@link FrameHandler#endOfBatch} after each {@code pcap_dispatch}. */
    @Override
    public boolean batches() {
        return true;
    }

    private void deliver(byte[] packet) {
        ByteBuffer frame = ByteBuffer.wrap(packet);
        if (!Aoe.isAoe(frame)) {
            return;
        }
        try {
            handler.onFrame(this, frame);
        } catch (RuntimeException e) {
            // A bug in a handler must not stop the capture for everyone on this interface.
            LOG.error("interface {}: frame handler failed", name, e);
        }
    }

    @Override
    public String toString() {
        return "pcap:" + name;
    }
}
