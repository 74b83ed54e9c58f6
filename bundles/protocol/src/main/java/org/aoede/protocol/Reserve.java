package org.aoede.protocol;

import java.nio.ByteBuffer;

/** The Reserve/Release command (2-byte header, then 6-byte MAC addresses). */
public final class Reserve {
    public static final int HEADER = Aoe.HEADER + 2;

    public static final int READ = 0;
    public static final int SET = 1;
    public static final int FORCE_SET = 2;

    private Reserve() {
    }

    public static int subcommand(ByteBuffer f) { return f.get(Aoe.HEADER) & 0xff; }
    public static int count(ByteBuffer f) { return f.get(Aoe.HEADER + 1) & 0xff; }

    public static boolean macsFit(ByteBuffer f) {
        return f.limit() >= HEADER && HEADER + count(f) * 6 <= f.limit();
    }

    public static long mac(ByteBuffer f, int i) { return Mac.get(f, HEADER + 6 * i); }

    /** Writes header and list; returns the frame length. */
    public static int put(ByteBuffer f, int subcommand, long[] macs) {
        f.put(Aoe.HEADER, (byte) subcommand);
        f.put(Aoe.HEADER + 1, (byte) macs.length);
        for (int i = 0; i < macs.length; i++) {
            Mac.put(f, HEADER + 6 * i, macs[i]);
        }
        return HEADER + 6 * macs.length;
    }
}
