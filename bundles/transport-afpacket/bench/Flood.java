import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Batched raw AoE READ flood: W requests in flight, sendmmsg/recvmmsg; prints replies/s. */
public class Flood {
    static { Native.register(Flood.class, "c"); }
    static native int socket(int d, int t, int p);
    static native int bind(int fd, long a, int l);
    static native int setsockopt(int fd, int lvl, int opt, long v, int l);
    static native int recvmmsg(int fd, long v, int n, int f, long t);
    static native int sendmmsg(int fd, long v, int n, int f);

    static ByteBuffer d(int n) { return ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder()); }
    static long a(ByteBuffer b) { return Pointer.nativeValue(Native.getDirectBufferPointer(b)); }

    public static void main(String[] args) throws Exception {
        String ifn = args[0];
        long dst = Long.parseLong(args[1].replace(":", ""), 16);
        int window = Integer.parseInt(args[2]);
        double secs = Double.parseDouble(args[3]);
        int sectors = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        NetworkInterface ni = NetworkInterface.getByName(ifn);
        byte[] src = ni.getHardwareAddress();
        int fd = socket(17, 3, 0);
        ByteBuffer o = d(16);
        o.putInt(0, 1); setsockopt(fd, 263, 23, a(o), 4);
        o.putInt(0, 16 << 20); setsockopt(fd, 1, 33, a(o), 4);
        o.putLong(0, 0); o.putLong(8, 20000); setsockopt(fd, 1, 20, a(o), 16);
        ByteBuffer sll = d(20);
        sll.putShort(0, (short) 17); sll.put(2, (byte) 0x88); sll.put(3, (byte) 0xa2); sll.putInt(4, ni.getIndex());
        if (bind(fd, a(sll), 20) != 0) throw new IllegalStateException("bind " + Native.getLastError());
        int B = 64, slot = 9300;
        ByteBuffer tx = d(B * slot), rx = d(B * slot), tv = d(B * 64), rv = d(B * 64), ti = d(B * 16), ri = d(B * 16);
        for (int i = 0; i < B; i++) {
            ti.putLong(i * 16, a(tx) + (long) i * slot); ti.putLong(i * 16 + 8, 60);
            ri.putLong(i * 16, a(rx) + (long) i * slot); ri.putLong(i * 16 + 8, slot);
            tv.putLong(i * 64 + 16, a(ti) + i * 16); tv.putLong(i * 64 + 24, 1);
            rv.putLong(i * 64 + 16, a(ri) + i * 16); rv.putLong(i * 64 + 24, 1);
            ByteBuffer f = tx.slice(i * slot, 60);
            for (int k = 0; k < 6; k++) { f.put(k, (byte) (dst >>> (40 - 8 * k))); f.put(6 + k, src[k]); }
            f.putShort(12, (short) 0x88a2);
            f.put(14, (byte) 0x10); f.putShort(16, (short) 1); f.put(18, (byte) 0); f.put(19, (byte) 0);
            f.put(24, (byte) 0x40); f.put(26, (byte) sectors); f.put(27, (byte) 0x24);
        }
        int outstanding = 0, tag = 1;
        long replies = 0, batchesRx = 0, batchesTx = 0, timeouts = 0;
        long start = System.nanoTime(), end = start + (long) (secs * 1e9);
        java.util.Random rnd = new java.util.Random(1);
        while (System.nanoTime() < end) {
            int n = Math.min(B, window - outstanding);
            if (n > 0) {
                for (int i = 0; i < n; i++) {
                    ByteBuffer f = tx.slice(i * slot, 60);
                    f.putInt(20, tag++ & 0x7fffffff);
                    long lba = (rnd.nextInt(1 << 20)) * 2L;
                    for (int k = 0; k < 6; k++) f.put(28 + k, (byte) (lba >>> (8 * k)));
                }
                int s = sendmmsg(fd, a(tv), n, 0);
                if (s > 0) { outstanding += s; batchesTx++; }
            }
            int r = recvmmsg(fd, a(rv), B, 0x10000, 0);
            if (r > 0) {
                batchesRx++;
                for (int i = 0; i < r; i++) {
                    if ((rx.get(i * slot + 14) & 0x08) != 0) { replies++; outstanding--; }
                }
            } else {
                timeouts++; outstanding = 0;
            }
        }
        java.lang.ref.Reference.reachabilityFence(ti); java.lang.ref.Reference.reachabilityFence(ri); java.lang.ref.Reference.reachabilityFence(sll); java.lang.ref.Reference.reachabilityFence(o);
        double t = (System.nanoTime() - start) / 1e9;
        System.out.printf("flood window=%d sectors=%d replies/s=%.0f rx-batch=%.1f tx-batch=%.1f timeouts=%d%n",
                window, sectors, replies / t, replies / (double) Math.max(1, batchesRx), 0.0 + (replies + outstanding) / (double) Math.max(1, batchesTx), timeouts);
    }
}
