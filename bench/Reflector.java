import java.lang.ref.Reference;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * A do-nothing AoE target for the benchmark: it answers every request for its shelf.slot (or a
 * broadcast) without any storage. ATA read: count x 512 zero bytes, DRDY; write: DRDY; IDENTIFY:
 * a minimal LBA48 identify; any other ATA command: DRDY; query config: buffer count 64 and the
 * MTU's sector count. Its cost is the wire and the system calls, nothing else.
 *
 * <pre>java -cp aoede-initiator.jar:DIR Reflector IFACE one|batch|aio=FILE|aiobatch=FILE|rbd=POOL/IMAGE:CONF [SHELF.SLOT] [SECTORS]</pre>
 *
 * {@code one}: one frame per system call ({@code recv} + {@code send}, like vblade);
 * {@code batch}: {@code recvmmsg} of up to 64 frames, all replies with one {@code sendmmsg}.
 * {@code aio=FILE}: the leanest AoE target on a real disk, the bound for the disk section. ATA
 * reads and writes go to FILE with O_DIRECT through Linux AIO, submitted one at a time as they
 * arrive; one thread polls the socket and the AIO eventfd, so it also reaps each clump of
 * completions and sends its replies with one {@code sendmmsg}. No checks beyond the reflector's,
 * no flush: a measuring instrument, not a target. {@code aiobatch=FILE}: the same, with the
 * requests of one {@code recvmmsg} batch in one {@code io_submit}. {@code rbd=POOL/IMAGE:CONF}: the
 * same for an RBD image through librbd's {@code rbd_aio_*}, each completion callback sending its
 * reply (see {@link #rbd}).
 * AF_PACKET through JNA direct mapping, preallocated direct buffers, no allocation per frame.
 */
public final class Reflector {
    static {
        Native.register(Reflector.class, "c");
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, long addr, int len);

    static native int setsockopt(int fd, int level, int opt, long val, int len);

    static native long recv(int fd, long buf, long len, int flags);

    static native long send(int fd, long buf, long len, int flags);

    static native int recvmmsg(int fd, long vec, int n, int flags, long timeout);

    static native int sendmmsg(int fd, long vec, int n, int flags);

    static native int poll(long fds, long nfds, int timeout);

    static native int eventfd(int initval, int flags);

    static native long read(int fd, long buf, long len);

    static native int open(String path, int flags);

    /** libaio's thin wrappers of the AIO system calls (they return -errno). */
    static final class Aio {
        static {
            Native.register(Aio.class, com.sun.jna.NativeLibrary.getInstance("libaio.so.1"));
        }

        static native int io_setup(int maxevents, long ctxp);

        static native int io_submit(long ctx, long nr, long iocbpp);

        static native int io_getevents(long ctx, long minNr, long nr, long events, long timeout);
    }

    /** librados and librbd, the few calls of the rbd mode (handles as long, errors as -errno). */
    static final class Ceph {
        interface Done extends com.sun.jna.Callback {
            void invoke(long completion, long arg);
        }

        static final class Rados {
            static {
                Native.register(Rados.class, "librados.so.2");
            }

            static native int rados_create2(long[] cluster, String clusterName, String name, long flags);

            static native int rados_conf_read_file(long cluster, String path);

            static native int rados_conf_set(long cluster, String option, String value);

            static native int rados_connect(long cluster);

            static native int rados_ioctx_create(long cluster, String pool, long[] ioctx);
        }

        static final class Rbd {
            static {
                Native.register(Rbd.class, "librbd.so.1");
            }

            static native int rbd_open(long ioctx, String name, long[] image, String snapName);

            static native int rbd_get_size(long image, long[] size);

            static native int rbd_aio_create_completion(long arg, Done callback, long[] completion);

            static native int rbd_aio_read(long image, long off, long len, Pointer buf, long completion);

            static native int rbd_aio_write(long image, long off, long len, Pointer buf, long completion);

            static native long rbd_aio_get_return_value(long completion);

            static native void rbd_aio_release(long completion);
        }
    }

    static final int B = 64;
    static final int SLOT = 9216 + 64;
    static final int MMSG = 64;
    static final int IOV = 16;

    static ByteBuffer d(int n) {
        return ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
    }

    static long a(ByteBuffer b) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(b));
    }

    final byte[] mac;
    final int shelf;
    final int slot;
    final int sectors;
    final long capacity;
    final byte[] identify = new byte[512];
    long frames;

    Reflector(byte[] mac, int shelf, int slot, int sectors, long capacity) {
        this.mac = mac;
        this.shelf = shelf;
        this.slot = slot;
        this.sectors = sectors;
        this.capacity = capacity;
        word(49, 1 << 9);                          // LBA supported
        word(60, (int) Math.min(capacity, 0x0fffffff));
        word(61, (int) (Math.min(capacity, 0x0fffffff) >>> 16));
        word(83, 1 << 10 | 1 << 14);               // LBA48 supported
        word(86, 1 << 10);                         // LBA48 enabled
        for (int w = 0; w < 4; w++) {
            word(100 + w, (int) (capacity >>> (16 * w)));
        }
        String model = "AoEde bench reflector";
        for (int i = 0; i < 40; i++) {              // words 27-46, high byte first
            identify[54 + (i ^ 1)] = (byte) (i < model.length() ? model.charAt(i) : ' ');
        }
    }

    private void word(int w, int v) {
        identify[2 * w] = (byte) v;
        identify[2 * w + 1] = (byte) (v >>> 8);
    }

    /**
     * Builds the reply to the request in {@code rq} (length {@code len}) into {@code tx}; returns its
     * length, 0 for no reply. {@code tx}'s data area past byte 36 must be zero on entry except what
     * {@code dirty[0]} says: set when IDENTIFY data was written, cleared when zeroed again.
     */
    int reply(ByteBuffer rq, int len, ByteBuffer tx, boolean[] dirty, int di) {
        if (len < 24 || (rq.getShort(12) & 0xffff) != 0x88a2) {
            return 0;
        }
        int vf = rq.get(14) & 0xff;
        if ((vf & 0x08) != 0 || (vf >>> 4) != 1) {
            return 0;                               // responses (our own, other targets), other versions
        }
        int sh = rq.getShort(16) & 0xffff;
        int sl = rq.get(18) & 0xff;
        if (!((sh == shelf || sh == 0xffff) && (sl == slot || sl == 0xff))) {
            return 0;
        }
        int cmd = rq.get(19) & 0xff;
        // Ethernet: to the sender, from us; AoE header: R flag, our address, tag echoed.
        for (int i = 0; i < 6; i++) {
            tx.put(i, rq.get(6 + i));
            tx.put(6 + i, mac[i]);
        }
        tx.putShort(12, (short) 0x88a2);
        tx.put(14, (byte) 0x18);
        tx.put(15, (byte) 0);
        tx.putShort(16, (short) shelf);
        tx.put(18, (byte) slot);
        tx.put(19, (byte) cmd);
        tx.putInt(20, rq.getInt(20));
        int out;
        if (cmd == 0) {                             // ATA
            if (len < 36) {
                return 0;
            }
            int count = rq.get(26) & 0xff;
            int acmd = rq.get(27) & 0xff;
            for (int i = 24; i < 36; i++) {
                tx.put(i, rq.get(i));
            }
            tx.put(25, (byte) 0);                   // error
            tx.put(27, (byte) 0x40);                // status DRDY
            out = 36;
            if (acmd == 0x20 || acmd == 0x24) {
                if (dirty[di]) {
                    tx.put(36, new byte[512]);     // only after an IDENTIFY (rare): zeros again
                    dirty[di] = false;
                }
                out = 36 + count * 512;
            } else if (acmd == 0xec) {
                tx.put(36, identify);
                dirty[di] = true;
                out = 36 + 512;
            }
        } else if (cmd == 1) {                      // query config
            tx.putShort(24, (short) 64);
            tx.putShort(26, (short) 0x4019);
            tx.put(28, (byte) sectors);
            tx.put(29, (byte) (0x10 | (len > 29 ? rq.get(29) & 0x0f : 0)));
            tx.putShort(30, (short) 0);
            out = 32;
        } else {
            tx.put(14, (byte) 0x1c);                // E flag: unrecognized command
            tx.put(15, (byte) 1);
            out = 24;
        }
        if (out < 60) {
            for (int i = out; i < 60; i++) {
                tx.put(i, (byte) 0);
            }
            out = 60;
        }
        frames++;
        return out;
    }

    /** Whether the frame rq (length len) is an ATA read or write for our shelf.slot. */
    boolean readOrWrite(ByteBuffer rq, int len) {
        int acmd = len >= 36 ? rq.get(27) & 0xff : -1;
        return (rq.getShort(12) & 0xffff) == 0x88a2 && (rq.get(14) & 0x08) == 0 && rq.get(19) == 0
                && (rq.getShort(16) & 0xffff) == shelf && (rq.get(18) & 0xff) == slot
                && (acmd == 0x20 || acmd == 0x24 || acmd == 0x30 || acmd == 0x34);
    }

    /** The request's LBA: 48 bits, or 28 without the extended flag. */
    static long lba(ByteBuffer rq) {
        long lba = 0;
        for (int b = 5; b >= 0; b--) {
            lba = lba << 8 | (rq.get(28 + b) & 0xff);
        }
        return (rq.get(24) & 0x40) == 0 ? lba & 0x0fffffff : lba;
    }

    /** A slot's data buffer: the largest request the aio and rbd modes take. */
    static final int SPAN = 32 * 1024;

    static int bytes(ByteBuffer rq) {
        return (rq.get(26) & 0xff) * 512;
    }

    static boolean isWrite(ByteBuffer rq) {
        int acmd = rq.get(27) & 0xff;
        return acmd == 0x30 || acmd == 0x34;
    }

    /** Whether a read or write (length len) fits a slot, and a write's frame carries all its data. */
    static boolean fits(ByteBuffer rq, int len) {
        int bytes = bytes(rq);
        return bytes <= SPAN && (!isWrite(rq) || len >= 36 + bytes);
    }

    /** Copies a request's header, and a write's data, into its slot. */
    static void take(ByteBuffer rq, ByteBuffer head, ByteBuffer data) {
        for (int b = 0; b < 36; b++) {
            head.put(b, rq.get(b));
        }
        if (isWrite(rq)) {
            data.clear().put(rq.duplicate().position(36).limit(36 + bytes(rq)));
        }
    }

    /** The reply to the slot's request (header h, data) into tx, done or failed; its length. */
    int completed(ByteBuffer h, ByteBuffer data, boolean ok, ByteBuffer tx, boolean[] dirty, int di) {
        int len = reply(h, 36, tx, dirty, di);
        if (!ok) {
            tx.put(25, (byte) 0x04).put(27, (byte) 0x41);   // ABRT, DRDY|ERR
            return 60;
        }
        if (len > 60) {                                       // a read: its data
            tx.put(36, data, 0, bytes(h));
        }
        return len;
    }

    /** Queues a reply of length len (none if 0) as the k-th frame of the batch; the new count. */
    static int queue(ByteBuffer ti, int k, int len) {
        if (len <= 0) {
            return k;
        }
        ti.putLong(k * IOV + 8, len);
        return k + 1;
    }

    /** Sends the k frames queued, a failed one lost (the initiator retransmits). */
    static void sendAll(int fd, long tva, int k) {
        int sent = 0;
        while (sent < k) {
            int s = sendmmsg(fd, tva + (long) sent * MMSG, k - sent, 0);
            sent += s > 0 ? s : 1;
        }
    }

    public static void main(String[] args) throws Exception {
        String ifn = args[0];
        boolean batch = !args[1].equals("one");
        int shelf = 1;
        int slot = 0;
        if (args.length > 2) {
            String[] p = args[2].split("\\.");
            shelf = Integer.parseInt(p[0]);
            slot = Integer.parseInt(p[1]);
        }
        String file = args[1].startsWith("aio") ? args[1].substring(args[1].indexOf('=') + 1) : null;
        boolean rbd = args[1].startsWith("rbd=");
        NetworkInterface ni = NetworkInterface.getByName(ifn);
        int sectors = args.length > 3 ? Integer.parseInt(args[3]) : Math.min(255, (ni.getMTU() - 36) / 512);
        long image = 0;
        long capacity = file == null ? 2L * 1024 * 1024 : new java.io.File(file).length() / 512;
        if (rbd) {                                              // rbd=POOL/IMAGE:CONF
            String[] spec = args[1].substring(4).split(":", 2);
            String[] pi = spec[0].split("/", 2);
            long[] h = new long[1];
            int rc = Ceph.Rados.rados_create2(h, "ceph", "client.admin", 0);
            long cluster = h[0];
            rc = rc < 0 ? rc : Ceph.Rados.rados_conf_read_file(cluster, spec[1]);
            rc = rc < 0 ? rc : Ceph.Rados.rados_conf_set(cluster, "rbd_cache", "false");   // as the appliance, rbd bench
            rc = rc < 0 ? rc : Ceph.Rados.rados_connect(cluster);
            rc = rc < 0 ? rc : Ceph.Rados.rados_ioctx_create(cluster, pi[0], h);
            rc = rc < 0 ? rc : Ceph.Rbd.rbd_open(h[0], pi[1], h, null);
            image = h[0];
            rc = rc < 0 ? rc : Ceph.Rbd.rbd_get_size(image, h);
            if (rc < 0) {
                throw new IllegalStateException("opening " + args[1] + " failed: errno " + -rc);
            }
            capacity = h[0] / 512;
        }
        Reflector r = new Reflector(ni.getHardwareAddress(), shelf, slot, sectors, capacity);

        int fd = socket(17, 3 | 0x80000, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket: errno " + Native.getLastError());
        }
        ByteBuffer o = d(16);
        o.putInt(0, 1);
        setsockopt(fd, 263, 23, a(o), 4);           // PACKET_IGNORE_OUTGOING
        o.putInt(0, 8 << 20);
        setsockopt(fd, 1, 33, a(o), 4);             // SO_RCVBUFFORCE
        setsockopt(fd, 1, 32, a(o), 4);             // SO_SNDBUFFORCE
        ByteBuffer sll = d(20);
        sll.putShort(0, (short) 17);
        sll.put(2, (byte) 0x88);
        sll.put(3, (byte) 0xa2);
        sll.putInt(4, ni.getIndex());
        if (bind(fd, a(sll), 20) != 0) {
            throw new IllegalStateException("bind: errno " + Native.getLastError());
        }
        System.out.println("reflector " + ifn + " mode=" + (rbd ? "rbd" : file != null ? "aio" : batch ? "batch" : "one") + " address=" + shelf + "." + slot
                + " sectors=" + sectors + " ready");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("reflector replies=" + r.frames)));

        if (!batch) {
            ByteBuffer rx = d(SLOT).order(ByteOrder.BIG_ENDIAN);   // frames are network order
            ByteBuffer tx = d(SLOT).order(ByteOrder.BIG_ENDIAN);
            long rxa = a(rx);
            long txa = a(tx);
            boolean[] dirty = new boolean[1];
            while (true) {
                long n = recv(fd, rxa, SLOT, 0);
                if (n <= 0) {
                    continue;
                }
                int len = r.reply(rx, (int) n, tx, dirty, 0);
                if (len > 0) {
                    send(fd, txa, len, 0);
                }
            }
        }
        ByteBuffer rxArea = d(B * SLOT);
        ByteBuffer txArea = d(B * SLOT);
        ByteBuffer rv = d(B * MMSG);
        ByteBuffer tv = d(B * MMSG);
        ByteBuffer ri = d(B * IOV);
        ByteBuffer ti = d(B * IOV);
        ByteBuffer[] rxs = new ByteBuffer[B];
        ByteBuffer[] txs = new ByteBuffer[B];
        for (int i = 0; i < B; i++) {
            ri.putLong(i * IOV, a(rxArea) + (long) i * SLOT);
            ri.putLong(i * IOV + 8, SLOT);
            ti.putLong(i * IOV, a(txArea) + (long) i * SLOT);
            rv.putLong(i * MMSG + 16, a(ri) + (long) i * IOV);
            rv.putLong(i * MMSG + 24, 1);
            tv.putLong(i * MMSG + 16, a(ti) + (long) i * IOV);
            tv.putLong(i * MMSG + 24, 1);
            rxs[i] = rxArea.slice(i * SLOT, SLOT).order(ByteOrder.BIG_ENDIAN);
            txs[i] = txArea.slice(i * SLOT, SLOT).order(ByteOrder.BIG_ENDIAN);
        }
        long rva = a(rv);
        long tva = a(tv);
        boolean[] dirty = new boolean[B];
        if (rbd) {
            r.rbd(fd, image, rxs, rv, txs, ti, tva, rva);
        } else if (file != null) {
            r.aio(fd, file, args[1].startsWith("aiobatch="), rxs, rv, txs, ti, tva, rva);
        }
        while (true) {
            int n = recvmmsg(fd, rva, B, 0x10000, 0);  // MSG_WAITFORONE
            if (n <= 0) {
                continue;
            }
            int k = 0;
            for (int i = 0; i < n; i++) {
                k = queue(ti, k, r.reply(rxs[i], rv.getInt(i * MMSG + 56), txs[k], dirty, k));
            }
            sendAll(fd, tva, k);
            Reference.reachabilityFence(ri);
            Reference.reachabilityFence(ti);
            Reference.reachabilityFence(sll);
        }
    }

    /** The aio mode's loop: see the class comment. rxs/rv, txs/ti/tv are the batch mode's vectors. */
    void aio(int fd, String file, boolean hold, ByteBuffer[] rxs, ByteBuffer rv, ByteBuffer[] txs, ByteBuffer ti, long tva, long rva) {
        int dfd = open(file, 2 | 0x4000 | 0x80000);           // O_RDWR | O_DIRECT | O_CLOEXEC (x86_64)
        int efd = eventfd(0, 0x800 | 0x80000);                  // EFD_NONBLOCK | EFD_CLOEXEC
        ByteBuffer ctxp = d(8);
        if (dfd < 0 || efd < 0 || Aio.io_setup(B, a(ctxp)) < 0) {
            throw new IllegalStateException("aio set-up of " + file + " failed: errno " + Native.getLastError());
        }
        long ctx = ctxp.getLong(0);
        ByteBuffer area = d(B * SPAN + 4096);
        long base = (a(area) + 4095) & ~4095L;
        int shift = (int) (base - a(area));
        ByteBuffer[] data = new ByteBuffer[B];
        ByteBuffer[] head = new ByteBuffer[B];
        ByteBuffer iocbs = d(B * 64);
        ByteBuffer ptrs = d(B * 8);
        int[] free = new int[B];
        for (int i = 0; i < B; i++) {
            data[i] = area.slice(shift + i * SPAN, SPAN);
            head[i] = d(64).order(ByteOrder.BIG_ENDIAN);
            ptrs.putLong(i * 8, a(iocbs) + i * 64L);
            free[i] = i;
        }
        int nfree = B;
        ByteBuffer events = d(B * 32);
        ByteBuffer zero = d(16);                                // timespec {0, 0}: reap what is done
        ByteBuffer pfd = d(16);
        pfd.putInt(0, fd);
        pfd.putShort(4, (short) 1);                             // POLLIN
        pfd.putInt(8, efd);
        pfd.putShort(12, (short) 1);
        ByteBuffer count = d(8);
        ByteBuffer held = d(B * 8);                             // hold: the batch's iocbs, one io_submit
        boolean[] dirty = new boolean[B];
        while (true) {
            poll(a(pfd), 2, -1);
            int k = 0;
            if ((pfd.getShort(14) & 1) != 0) {                  // completions: one reply each, one sendmmsg
                read(efd, a(count), 8);
                int n = Aio.io_getevents(ctx, 0, B, a(events), a(zero));
                for (int e = 0; e < n; e++) {
                    int s = (int) events.getLong(e * 32);
                    boolean ok = events.getLong(e * 32 + 16) == bytes(head[s]);
                    k = queue(ti, k, completed(head[s], data[s], ok, txs[k], dirty, k));
                    free[nfree++] = s;
                }
            }
            if ((pfd.getShort(6) & 1) != 0) {                   // frames: reads and writes to the disk, the rest at once
                int n = recvmmsg(fd, rva, B, 0x40, 0);          // MSG_DONTWAIT
                int m = 0;
                for (int i = 0; i < n; i++) {
                    ByteBuffer rq = rxs[i];
                    int len = rv.getInt(i * MMSG + 56);
                    if (!readOrWrite(rq, len)) {
                        k = k < B ? queue(ti, k, reply(rq, len, txs[k], dirty, k)) : k;
                        continue;
                    }
                    if (!fits(rq, len) || nfree == 0) {
                        continue;                                   // no reply: the initiator retransmits
                    }
                    int s = free[--nfree];
                    take(rq, head[s], data[s]);
                    int o = s * 64;
                    iocbs.putLong(o, s).putLong(o + 8, 0).putShort(o + 16, (short) (isWrite(rq) ? 1 : 0))
                            .putShort(o + 18, (short) 0).putInt(o + 20, dfd).putLong(o + 24, a(data[s]))
                            .putLong(o + 32, bytes(rq)).putLong(o + 40, lba(rq) * 512).putLong(o + 48, 0)
                            .putInt(o + 56, 1).putInt(o + 60, efd);         // IOCB_FLAG_RESFD
                    if (!hold) {
                        if (Aio.io_submit(ctx, 1, a(ptrs) + s * 8L) != 1) {
                            free[nfree++] = s;
                        }
                    } else {
                        held.putLong(8 * m++, a(iocbs) + o);
                    }
                }
                int taken = m > 0 ? Math.max(0, Aio.io_submit(ctx, m, a(held))) : 0;
                for (int i = taken; i < m; i++) {
                    free[nfree++] = (int) ((held.getLong(8 * i) - a(iocbs)) / 64);
                }
            }
            sendAll(fd, tva, k);
            Reference.reachabilityFence(area);
            Reference.reachabilityFence(iocbs);
            Reference.reachabilityFence(ptrs);
        }
    }

    /** The rbd mode's per-slot state, kept reachable while librbd may call back. */
    ByteBuffer[] rbdData;
    ByteBuffer[] rbdHead;
    ByteBuffer[] rbdTx;
    final int[] rbdFree = new int[B];
    int rbdFreeCount;
    int rbdFd;
    final boolean[] rbdDirty = new boolean[B];
    final Ceph.Done done = this::done;

    /** librbd's callback thread: the reply to slot arg, sent at once, one frame per call. */
    private void done(long completion, long arg) {
        int s = (int) arg;
        long res = Ceph.Rbd.rbd_aio_get_return_value(completion);
        Ceph.Rbd.rbd_aio_release(completion);
        ByteBuffer h = rbdHead[s];
        boolean ok = res >= 0 && (isWrite(h) || res == bytes(h));
        int len = completed(h, rbdData[s], ok, rbdTx[s], rbdDirty, s);
        send(rbdFd, a(rbdTx[s]), len, 0);
        synchronized (rbdFree) {
            rbdFree[rbdFreeCount++] = s;
        }
    }

    /**
     * The rbd mode (rbd=POOL/IMAGE:CONF): the leanest AoE target on an RBD image, the bound for the
     * rbd section. Reads and writes go to librbd with rbd_aio_*, one completion callback each, which
     * sends the reply; everything else is answered as in the batch mode. No checks, no flush.
     */
    void rbd(int fd, long image, ByteBuffer[] rxs, ByteBuffer rv, ByteBuffer[] txs, ByteBuffer ti, long tva, long rva) {
        Native.setCallbackThreadInitializer(done, new com.sun.jna.CallbackThreadInitializer(true, false, "rbd-done"));
        rbdFd = fd;
        rbdData = new ByteBuffer[B];
        rbdHead = new ByteBuffer[B];
        rbdTx = new ByteBuffer[B];
        for (int i = 0; i < B; i++) {
            rbdData[i] = d(SPAN);
            rbdHead[i] = d(64).order(ByteOrder.BIG_ENDIAN);
            rbdTx[i] = d(SLOT).order(ByteOrder.BIG_ENDIAN);
            rbdFree[i] = i;
        }
        rbdFreeCount = B;
        long[] c = new long[1];
        boolean[] dirty = new boolean[B];
        while (true) {
            int n = recvmmsg(fd, rva, B, 0x10000, 0);          // MSG_WAITFORONE
            int k = 0;
            for (int i = 0; i < n; i++) {
                ByteBuffer rq = rxs[i];
                int len = rv.getInt(i * MMSG + 56);
                if (!readOrWrite(rq, len)) {
                    k = queue(ti, k, reply(rq, len, txs[k], dirty, k));
                    continue;
                }
                int s;
                synchronized (rbdFree) {
                    s = !fits(rq, len) || rbdFreeCount == 0 ? -1 : rbdFree[--rbdFreeCount];
                }
                if (s < 0) {
                    continue;                                   // no reply: the initiator retransmits
                }
                take(rq, rbdHead[s], rbdData[s]);
                Pointer buf = Native.getDirectBufferPointer(rbdData[s]);
                Ceph.Rbd.rbd_aio_create_completion(s, done, c);
                int rc = isWrite(rq) ? Ceph.Rbd.rbd_aio_write(image, lba(rq) * 512, bytes(rq), buf, c[0])
                        : Ceph.Rbd.rbd_aio_read(image, lba(rq) * 512, bytes(rq), buf, c[0]);
                if (rc < 0) {
                    Ceph.Rbd.rbd_aio_release(c[0]);
                    synchronized (rbdFree) {
                        rbdFree[rbdFreeCount++] = s;
                    }
                }
            }
            sendAll(fd, tva, k);
        }
    }
}
