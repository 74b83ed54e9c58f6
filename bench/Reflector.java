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
 * <pre>java -cp aoede-initiator.jar:DIR Reflector IFACE one|batch [SHELF.SLOT] [SECTORS]</pre>
 *
 * {@code one}: one frame per system call ({@code recv} + {@code send}, like vblade);
 * {@code batch}: {@code recvmmsg} of up to 64 frames, all replies with one {@code sendmmsg}.
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

    public static void main(String[] args) throws Exception {
        String ifn = args[0];
        boolean batch = args[1].equals("batch");
        int shelf = 1;
        int slot = 0;
        if (args.length > 2) {
            String[] p = args[2].split("\\.");
            shelf = Integer.parseInt(p[0]);
            slot = Integer.parseInt(p[1]);
        }
        NetworkInterface ni = NetworkInterface.getByName(ifn);
        int sectors = args.length > 3 ? Integer.parseInt(args[3]) : Math.min(255, (ni.getMTU() - 36) / 512);
        Reflector r = new Reflector(ni.getHardwareAddress(), shelf, slot, sectors, 2L * 1024 * 1024);

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
        System.out.println("reflector " + ifn + " mode=" + (batch ? "batch" : "one") + " address=" + shelf + "." + slot
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
        while (true) {
            int n = recvmmsg(fd, rva, B, 0x10000, 0);  // MSG_WAITFORONE
            if (n <= 0) {
                continue;
            }
            int k = 0;
            for (int i = 0; i < n; i++) {
                int len = r.reply(rxs[i], rv.getInt(i * MMSG + 56), txs[k], dirty, k);
                if (len > 0) {
                    ti.putLong(k * IOV + 8, len);
                    k++;
                }
            }
            int sent = 0;
            while (sent < k) {
                int s = sendmmsg(fd, tva + (long) sent * MMSG, k - sent, 0);
                sent += s > 0 ? s : 1;             // a failed frame is lost; the initiator retransmits
            }
            Reference.reachabilityFence(ri);
            Reference.reachabilityFence(ti);
            Reference.reachabilityFence(sll);
        }
    }
}
