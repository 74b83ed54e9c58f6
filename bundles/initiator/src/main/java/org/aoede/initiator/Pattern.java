package org.aoede.initiator;

/** Reproducible sector contents from (seed, LBA): data written to the wrong LBA reads back as a mismatch. */
public final class Pattern {
    private Pattern() {
    }

    /** Fills {@code sectors} sectors starting at {@code off} with the pattern for {@code lba, lba+1, ...}. */
    public static void fill(byte[] buf, int off, long seed, long lba, int sectors) {
        for (int s = 0; s < sectors; s++) {
            long x = seed * 0x9E3779B97F4A7C15L ^ (lba + s);
            int base = off + s * 512;
            for (int i = 0; i < 512; i += 8) {
                long v = mix(x += 0x9E3779B97F4A7C15L);
                for (int b = 0; b < 8; b++) {
                    buf[base + i + b] = (byte) (v >>> (8 * b));
                }
            }
        }
    }

    public static byte[] of(long seed, long lba, int sectors) {
        byte[] b = new byte[sectors * 512];
        fill(b, 0, seed, lba, sectors);
        return b;
    }

    /** SplitMix64 finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
