package org.aoede.protocol;

import java.nio.ByteBuffer;

/**
 * CRC8x4 of the original AoEde: CRC-8, polynomial 0x4D processed reflected (0xB2), initial value
 * 0xFF, no final xor, in four interleaved lanes: byte {@code i} of the range goes to lane
 * {@code i mod 4}. The four CRC bytes (lane 0..3) follow the range. No allocation.
 */
public final class Crc8x4 {
    public static final int POLY_REFLECTED = 0xB2;
    public static final int INIT = 0xFF;
    public static final int BYTES = 4;

    private static final byte[] TABLE = table();

    private Crc8x4() {
    }

    private static byte[] table() {
        byte[] t = new byte[256];
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            t[i] = (byte) c;
        }
        return t;
    }

    /** The four lanes' CRCs of {@code f[from, to)}, lane 0 in the top byte. */
    public static int compute(ByteBuffer f, int from, int to) {
        byte[] t = TABLE;
        int c0 = INIT, c1 = INIT, c2 = INIT, c3 = INIT;
        int i = from;
        for (int end = to - 3; i < end; i += 4) {
            c0 = t[(c0 ^ f.get(i)) & 0xff] & 0xff;
            c1 = t[(c1 ^ f.get(i + 1)) & 0xff] & 0xff;
            c2 = t[(c2 ^ f.get(i + 2)) & 0xff] & 0xff;
            c3 = t[(c3 ^ f.get(i + 3)) & 0xff] & 0xff;
        }
        if (i < to) {
            c0 = t[(c0 ^ f.get(i++)) & 0xff] & 0xff;
        }
        if (i < to) {
            c1 = t[(c1 ^ f.get(i++)) & 0xff] & 0xff;
        }
        if (i < to) {
            c2 = t[(c2 ^ f.get(i)) & 0xff] & 0xff;
        }
        return c0 << 24 | c1 << 16 | c2 << 8 | c3;
    }

    /** Writes the four CRC bytes of {@code f[from, to)} at {@code to}; returns {@code to + 4}. */
    public static int append(ByteBuffer f, int from, int to) {
        int c = compute(f, from, to);
        f.put(to, (byte) (c >>> 24));
        f.put(to + 1, (byte) (c >>> 16));
        f.put(to + 2, (byte) (c >>> 8));
        f.put(to + 3, (byte) c);
        return to + BYTES;
    }

    /** True if the four bytes at {@code to} are the CRC of {@code f[from, to)}. */
    public static boolean verify(ByteBuffer f, int from, int to) {
        int c = compute(f, from, to);
        return f.get(to) == (byte) (c >>> 24) && f.get(to + 1) == (byte) (c >>> 16)
                && f.get(to + 2) == (byte) (c >>> 8) && f.get(to + 3) == (byte) c;
    }
}
