package org.aoede.transport.afpacket;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.api.ReplyRound;
import org.aoede.netif.LinkSupervisor;
import org.aoede.netif.NetInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One interface through a native AF_PACKET socket (SOCK_RAW, bound to the interface and to
 * EtherType 0x88A2) with a kernel BPF filter that keeps AoE frames coming in and drops the
 * socket's own outgoing ones.
 *
 * <p>Receive: one thread per link, {@code recvmmsg} of up to {@link #BATCH} frames into
 * preallocated direct slots ({@code MSG_WAITFORONE}, {@code SO_RCVTIMEO} so that it notices
 * {@link #close()}). Each frame is handed to the handler as a direct buffer over its slot.
 *
 * <p>Send: a reply produced on the receive thread while a batch is delivered is copied into a
 * preallocated transmit slot; all of them leave with one {@code sendmmsg} at the end of the
 * batch (or when the transmit ring is full). A frame sent from any other thread, or from the
 * receive thread outside a batch (say, an advertisement made in {@code linkUp}), is copied into
 * a buffer of its own and sent at once with {@code send}, unless its thread is in a
 * {@link ReplyRound} (a store's completion thread reaping several requests): then it waits in a
 * slot of the link's round batch, and the round's end sends them all with one {@code sendmmsg}
 * (or earlier: when the batch is full, or another thread's round ends first).
 *
 * <p>Opening, watching and reopening the interface is the {@link LinkSupervisor}'s, as for pcap.
 */
public final class AfPacketLink implements Link, LinkSupervisor.Socket, ReplyRound.Holder {
    private static final Logger LOG = LoggerFactory.getLogger(AfPacketLink.class);
    static final int BATCH = 64;
    /** Slots hold a jumbo frame (9216 bytes of MTU) at least; larger MTUs grow them. */
    static final int MIN_SLOT = 9216 + 64;
    private static final int RCV_TIMEOUT_MS = 200;

    private final String name;
    private final FrameHandler handler;
    private final int receiveBufferBytes;
    private final long busyPollNanos;
    private final boolean qdiscBypass;
    /** PACKET_QDISC_BYPASS refused (kernel < 3.14): said once per link, not on every reopen. */
    private boolean bypassRefusedLogged;
    private final LinkSupervisor supervisor;
    private volatile int fd = -1;

    // ---- receive thread only ----
    private int slotSize;
    private Slots rx;
    private Slots tx;
    private boolean inBatch;
    /** The next transmit slot is lent out by {@link #replyBuffer()} (until sent, or the next frame). */
    private boolean lent;

    // ---- other threads (control plane) ----
    private final Object sendLock = new Object();
    private ByteBuffer oneBuf;
    private long oneAddr;
    /** Frames held for the end of their threads' {@link ReplyRound}s. */
    private Slots round;

    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder batches = new LongAdder();
    /** Batches caught by busy polling (without blocking). */
    final LongAdder polled = new LongAdder();
    final LongAdder sendCalls = new LongAdder();
    final LongAdder sendErrors = new LongAdder();
    final LongAdder truncated = new LongAdder();

    public AfPacketLink(String name, FrameHandler handler, int receiveBufferBytes) {
        this(name, handler, receiveBufferBytes, 0, false);     // the initiator's: no busy polling, through the qdisc
    }

    /**
     * @param busyPollMicros after a batch, keep asking for the next one without blocking for up to
     *        this long before going to sleep in the kernel (0: block at once)
     * @param qdiscBypass replies go straight to the driver, past the interface's queueing
     *        discipline (PACKET_QDISC_BYPASS); falls back to the qdisc if the kernel refuses
     */
    public AfPacketLink(String name, FrameHandler handler, int receiveBufferBytes, int busyPollMicros,
            boolean qdiscBypass) {
        this.name = name;
        this.handler = handler;
        this.receiveBufferBytes = receiveBufferBytes;
        this.busyPollNanos = busyPollMicros * 1000L;
        this.qdiscBypass = qdiscBypass;
        this.supervisor = new LinkSupervisor(this, handler, this, "aoede-afpacket-" + name);
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
        return fd >= 0 && supervisor.isUp();
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

    /** Calls {@link FrameHandler#endOfBatch} after each {@code recvmmsg} batch. */
    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public boolean send(ByteBuffer frame) {
        int len = frame.remaining();
        if (inBatch && supervisor.onReceiveThread()) {
            if (len > slotSize) {
                return false;
            }
            ByteBuffer slot = tx.slots[tx.count];
            if (frame == slot && frame.position() == 0) {
                lent = false;                       // built in place (replyBuffer): no copy
            } else if (lent) {
                // The next slot is lent out for a reply still being built: never overwrite it.
                return sendNow(frame, len);
            } else {
                slot.clear();
                slot.put(0, frame, frame.position(), len);
            }
            if (tx.queued(len)) {
                send(tx);
            }
            return true;
        }
        ReplyRound r = ReplyRound.current();
        return r != null ? hold(r, frame, len) : sendNow(frame, len);
    }

    /** Holds a frame sent during a completion round until the round ends (or the batch is full). */
    private boolean hold(ReplyRound r, ByteBuffer frame, int len) {
        synchronized (sendLock) {
            if (fd < 0) {
                return false;
            }
            if (round == null || round.slotSize < len) {
                if (round != null && round.count > 0) {
                    send(round);
                }
                round = new Slots(Math.max(MIN_SLOT, (len + 63) & ~63));
            }
            round.slots[round.count].put(0, frame, frame.position(), len);
            if (round.queued(len)) {
                send(round);
            }
        }
        r.hold(this);
        return true;
    }

    @Override
    public void endOfRound() {
        synchronized (sendLock) {
            if (round != null && round.count > 0) {
                if (fd < 0) {
                    sendErrors.add(round.count);
                    round.count = 0;
                } else {
                    send(round);
                }
            }
        }
    }

    @Override
    public ByteBuffer replyBuffer() {
        if (!inBatch || !supervisor.onReceiveThread()) {
            return null;
        }
        ByteBuffer slot = tx.slots[tx.count];
        slot.clear();
        lent = true;
        return slot;
    }

    /** One frame at once, from any thread; serialized with itself and with closing the socket. */
    private boolean sendNow(ByteBuffer frame, int len) {
        synchronized (sendLock) {
            int s = fd;
            if (s < 0) {
                return false;
            }
            if (oneBuf == null || oneBuf.capacity() < len) {
                oneBuf = Structs.direct(Math.max(len, MIN_SLOT));
                oneAddr = Structs.address(oneBuf);
            }
            oneBuf.put(0, frame, frame.position(), len);
            long r = Sys.send(s, oneAddr, len, 0);
            sendCalls.increment();
            if (r == len) {
                framesOut.increment();
                return true;
            }
            sendErrors.increment();
            return false;
        }
    }

    /** Sends the frames queued in b with as few sendmmsg calls as the kernel takes. */
    private void send(Slots b) {
        int n = b.count;
        b.count = 0;
        int i = 0;
        while (i < n) {
            int r = Sys.sendmmsg(fd, b.vecAddr + (long) i * Structs.MMSGHDR, n - i, 0);
            sendCalls.increment();
            if (r > 0) {
                i += r;
                framesOut.add(r);
            } else {
                int e = Sys.errno();
                if (e == Sys.EINTR) {
                    continue;
                }
                sendErrors.increment();     // this frame is lost (the initiator retransmits); go on
                i++;
            }
        }
    }

    @Override
    public void close() {
        supervisor.close();
    }

    @Override
    public void open(NetInterface ni) {
        ensureBuffers(ni.mtu());
        openSocket(ni.index());
    }

    /** The receive loop notices a wake within {@link #RCV_TIMEOUT_MS}. */
    @Override
    public void wake() {
    }

    @Override
    public void release() {
        closeSocket();
    }

    private void openSocket(int index) {
        // Protocol 0: the socket sees nothing until bind() names the interface and EtherType,
        // so no frame of another interface slips in before the filter is attached.
        int s = Sys.socket(Sys.AF_PACKET, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, 0);
        if (s < 0) {
            int errno = Sys.errno();
            throw new IllegalStateException("socket(AF_PACKET): " + Sys.error(errno) + (errno == Sys.EPERM
                    ? ": raw Ethernet needs root or the capability CAP_NET_RAW (the service unit grants it)" : ""));
        }
        boolean ok = false;
        try {
            int[][] program = Structs.aoeFilter();
            ByteBuffer code = Structs.filterCode(program);
            ByteBuffer prog = Structs.fprog(program.length, Structs.address(code));
            check(Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_ATTACH_FILTER, Structs.address(prog), Structs.SOCK_FPROG),
                    "SO_ATTACH_FILTER");
            ByteBuffer one = Structs.direct(16);
            one.putInt(0, 1);
            // Linux >= 4.20: outgoing frames are not even queued to this socket; the filter
            // drops them on older kernels.
            Sys.setsockopt(s, Sys.SOL_PACKET, Sys.PACKET_IGNORE_OUTGOING, Structs.address(one), 4);
            // Linux >= 3.14: sends skip the qdisc layer (no enqueue/dequeue, no qdisc lock). An
            // AoE target's replies need no traffic shaping; a full driver queue drops the frame
            // (counted in sendErrors) and the initiator retransmits, as with a full qdisc.
            if (qdiscBypass
                    && Sys.setsockopt(s, Sys.SOL_PACKET, Sys.PACKET_QDISC_BYPASS, Structs.address(one), 4) != 0
                    && !bypassRefusedLogged) {
                bypassRefusedLogged = true;
                LOG.info("interface {}: PACKET_QDISC_BYPASS refused ({}); replies go through the qdisc",
                        name, Sys.error(Sys.errno()));
            }
            one.putInt(0, receiveBufferBytes);
            if (Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_RCVBUFFORCE, Structs.address(one), 4) != 0) {
                Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_RCVBUF, Structs.address(one), 4);
            }
            one.putInt(0, 4 << 20);
            if (Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_SNDBUFFORCE, Structs.address(one), 4) != 0) {
                Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_SNDBUF, Structs.address(one), 4);
            }
            one.putLong(0, 0);
            one.putLong(8, RCV_TIMEOUT_MS * 1000L);        // struct timeval {0 s, 200000 us}
            check(Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_RCVTIMEO, Structs.address(one), 16), "SO_RCVTIMEO");
            ByteBuffer sll = Structs.sockaddrLl(index, Sys.ETH_P_AOE);
            check(Sys.bind(s, Structs.address(sll), Structs.SOCKADDR_LL), "bind");
            synchronized (sendLock) {
                fd = s;
            }
            ok = true;
            // The kernel reads these through raw addresses: keep them from being freed (their
            // Cleaner) before the calls above returned.
            Reference.reachabilityFence(code);
            Reference.reachabilityFence(prog);
            Reference.reachabilityFence(one);
            Reference.reachabilityFence(sll);
        } finally {
            if (!ok) {
                Sys.close(s);
            }
        }
    }

    private static void check(int r, String what) {
        if (r != 0) {
            throw new IllegalStateException(what + ": " + Sys.error(Sys.errno()));
        }
    }

    private void closeSocket() {
        synchronized (sendLock) {
            int s = fd;
            fd = -1;
            if (s >= 0) {
                Sys.close(s);
            }
        }
    }

    /** (Re)allocates the receive and transmit slots when the MTU outgrows them. */
    private void ensureBuffers(int mtu) {
        int want = Math.max(MIN_SLOT, (mtu + 14 + 4 + 63) & ~63);
        if (want <= slotSize) {
            return;
        }
        slotSize = want;
        rx = new Slots(want);
        tx = new Slots(want);
    }

    /**
     * {@link #BATCH} frame slots and their message vector: what one recvmmsg fills, or what one
     * sendmmsg sends (a receive batch's replies, or a round's).
     */
    private static final class Slots {
        final int slotSize;
        final ByteBuffer area;
        final ByteBuffer vec;
        final ByteBuffer iov;
        final long vecAddr;
        final ByteBuffer[] slots;
        int count;

        Slots(int slotSize) {
            this.slotSize = slotSize;
            area = Structs.direct(BATCH * slotSize);
            vec = Structs.direct(BATCH * Structs.MMSGHDR);
            iov = Structs.direct(BATCH * Structs.IOVEC);
            Structs.vector(vec, iov, Structs.address(area), slotSize, BATCH);
            vecAddr = Structs.address(vec);
            slots = slices(area, slotSize);
        }

        /** The next slot now holds a frame of len bytes; true if the batch is full. */
        boolean queued(int len) {
            iov.putLong(count * Structs.IOVEC + 8, len);
            return ++count == BATCH;
        }
    }

    private static ByteBuffer[] slices(ByteBuffer area, int size) {
        ByteBuffer[] s = new ByteBuffer[BATCH];
        for (int i = 0; i < BATCH; i++) {
            s[i] = area.slice(i * size, size);       // big-endian, position 0, like a wrapped frame
        }
        return s;
    }

    /** The hot loop: returns when the link is closed or lost. */
    @Override
    public void receive() {
        while (supervisor.receiving()) {
            ensureBuffers(supervisor.mtu());
            int n = busyPollNanos > 0 ? poll() : 0;
            if (n <= 0) {
                n = Sys.recvmmsg(fd, rx.vecAddr, BATCH, Sys.MSG_WAITFORONE, 0);
            }
            if (n <= 0) {
                int e = n < 0 ? Sys.errno() : Sys.EAGAIN;
                if (e == Sys.EAGAIN || e == Sys.EINTR || e == Sys.ENETDOWN) {
                    continue;                      // timeout: look at closed/lost; ENETDOWN: the watch decides
                }
                throw new IllegalStateException("recvmmsg: " + Sys.error(e));
            }
            batches.increment();
            framesIn.add(n);
            ByteBuffer vec = rx.vec;
            ByteBuffer[] frames = rx.slots;
            inBatch = true;
            try {
                for (int i = 0; i < n; i++) {
                    int m = i * Structs.MMSGHDR;
                    int len = vec.getInt(m + Structs.MSG_LEN);
                    if ((vec.getInt(m + Structs.MSG_FLAGS) & Sys.MSG_TRUNC) != 0) {
                        truncated.increment();
                        continue;
                    }
                    ByteBuffer f = frames[i];
                    f.limit(len).position(0);
                    lent = false;                   // a reply buffer not sent for the last frame is free again
                    try {
                        handler.onFrame(this, f);
                    } catch (RuntimeException ex) {
                        // A bug in a handler must not stop the receive loop for everyone here.
                        LOG.error("interface {}: frame handler failed", name, ex);
                    }
                }
            } finally {
                lent = false;
                try {
                    handler.endOfBatch(this);       // its replies still join this batch's sendmmsg
                } catch (RuntimeException ex) {
                    LOG.error("interface {}: frame handler failed at the end of a batch", name, ex);
                }
                inBatch = false;
                if (tx.count > 0) {
                    send(tx);
                }
            }
        }
    }

    /**
     * Non-blocking receives for up to {@link #busyPollNanos}: under load the next request comes
     * within microseconds, and catching it here saves the sleep and wake-up of a blocking call.
     * Returns the frames received, 0 if none came.
     */
    private int poll() {
        long until = System.nanoTime() + busyPollNanos;
        do {
            int n = Sys.recvmmsg(fd, rx.vecAddr, BATCH, Sys.MSG_DONTWAIT, 0);
            if (n > 0) {
                polled.increment();
                return n;
            }
            if (n < 0 && Sys.errno() != Sys.EAGAIN) {
                return 0;                           // let the blocking call report it
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - until < 0);
        return 0;
    }

    @Override
    public String toString() {
        return "afpacket:" + name;
    }
}
