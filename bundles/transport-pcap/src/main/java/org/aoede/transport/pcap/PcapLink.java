package org.aoede.transport.pcap;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.netif.NetInterface;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Mac;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One interface through libpcap: a receive thread running {@code pcap_loop} with a kernel BPF
 * filter for EtherType 0x88A2, inbound direction only, immediate mode. If the interface is
 * missing or fails, the thread logs once and retries every {@link #RETRY_MS} ms.
 */
public final class PcapLink implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(PcapLink.class);
    static final long RETRY_MS = 2000;
    private static final int SNAPLEN = 65535 + 14;

    private final String name;
    private final FrameHandler handler;
    private final int bufferBytes;
    private final Thread thread;
    private volatile boolean closed;
    private volatile PcapHandle handle;
    private volatile long mac;
    private volatile int mtu;
    private volatile int ifindex;
    /** Why the link is not up: set while it waits for its interface. */
    private volatile String waiting = "not opened yet";
    private final ThreadLocal<byte[]> sendBuffer = ThreadLocal.withInitial(() -> new byte[SNAPLEN]);

    public PcapLink(String name, FrameHandler handler, int bufferBytes) {
        this.name = name;
        this.handler = handler;
        this.bufferBytes = bufferBytes;
        this.thread = new Thread(this::run, "aoede-pcap-" + name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isUp() {
        return handle != null;
    }

    @Override
    public String problem() {
        return isUp() ? "" : waiting;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
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
        closed = true;
        PcapHandle h = handle;
        if (h != null) {
            try {
                h.breakLoop();
            } catch (Exception ignored) {
                // the loop ends on close anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        String lastProblem = null;
        while (!closed) {
            PcapHandle h = null;
            try {
                if (!readAddresses()) {
                    throw new IllegalStateException(waiting);
                }
                h = new PcapHandle.Builder(name)
                        .snaplen(SNAPLEN)
                        .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                        .timeoutMillis(100)
                        .immediateMode(true)
                        .bufferSize(bufferBytes)
                        .build();
                h.setDirection(org.pcap4j.core.PcapHandle.PcapDirection.IN);
                h.setFilter("ether proto 0x88a2", BpfProgram.BpfCompileMode.OPTIMIZE);
                handle = h;
                if (lastProblem != null) {
                    LOG.info("interface {}: up again", name);
                }
                lastProblem = null;
                handler.linkUp(this);
                Watch watch = new Watch();
                watch.start();
                try {
                    RawPacketListener listener = this::deliver;
                    // pcap_dispatch: one kernel buffer's worth of frames per call, then the
                    // handler hears that the batch ended (write coalescing); 0 on the timeout.
                    while (!closed) {
                        try {
                            h.dispatch(-1, listener);
                        } finally {
                            endOfBatch();           // also when breakLoop ended it: nothing stays held
                        }
                    }
                } finally {
                    watch.interrupt();
                }
                if (!closed) {
                    throw new IllegalStateException("capture ended");
                }
            } catch (InterruptedException e) {
                // breakLoop: on close, or by the watch when the interface went away
                if (!closed) {
                    lastProblem = "interface went away";
                    LOG.warn("interface {}: {}; retrying every {} ms", name, lastProblem, RETRY_MS);
                }
            } catch (Throwable e) {
                String problem = e.getMessage() == null ? e.toString() : e.getMessage();
                waiting = problem;
                if (!problem.equals(lastProblem)) {
                    LOG.warn("interface {}: {}; retrying every {} ms", name, problem, RETRY_MS);
                    lastProblem = problem;
                    handler.linkWaiting(this, problem);
                }
            } finally {
                if (h != null) {
                    handle = null;
                    try {
                        h.close();
                    } catch (Exception ignored) {
                        // already gone
                    }
                    if (!closed) {
                        handler.linkDown(this, lastProblem == null ? "capture ended" : lastProblem);
                    }
                }
            }
            if (!closed) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MS));
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

    /**
     * Reads MAC, MTU and index from the kernel by name (an interface without any address counts);
     * returns false, with the reason in {@link #waiting}, if it does not exist or is not usable.
     */
    private boolean readAddresses() {
        Optional<NetInterface> found = NetInterface.byName(name);
        if (found.isEmpty() || !found.get().usable()) {
            waiting = found.isEmpty() ? "no such interface" : found.get().problem();
            return false;
        }
        NetInterface ni = found.get();
        mac = ni.mac();
        mtu = ni.mtu();
        ifindex = ni.index();
        return true;
    }

    /** Notices MTU and MAC changes (the sector count follows the MTU) and a vanished interface. */
    private final class Watch extends Thread {
        Watch() {
            super("aoede-pcap-watch-" + name);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted() && !closed) {
                try {
                    Thread.sleep(RETRY_MS);
                    long oldMac = mac;
                    int oldMtu = mtu;
                    int oldIndex = ifindex;
                    if (!readAddresses() || ifindex != oldIndex) {      // gone, or deleted and made again
                        PcapHandle h = handle;
                        if (h != null) {
                            h.breakLoop();
                        }
                        return;
                    }
                    if (oldMac != mac || oldMtu != mtu) {
                        LOG.info("interface {}: MTU {} -> {}, MAC {}", name, oldMtu, mtu, Mac.format(mac));
                        handler.linkUp(PcapLink.this);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    LOG.debug("interface {}: watch failed", name, e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "pcap:" + name;
    }
}
