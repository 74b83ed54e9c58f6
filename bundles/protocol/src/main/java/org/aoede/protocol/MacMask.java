package org.aoede.protocol;

import java.nio.ByteBuffer;

/** The MAC Mask List command (4-byte header, then 8-byte directives). */
public final class MacMask {
    public static final int HEADER = Aoe.HEADER + 4;
    public static final int DIRECTIVE = 8;

    public static final int READ = 0;
    public static final int EDIT = 1;

    public static final int ERR_UNSPECIFIED = 1;
    public static final int ERR_BAD_DIRECTIVE = 2;
    public static final int ERR_FULL = 3;

    public static final int DIR_NOP = 0;
    public static final int DIR_ADD = 1;
    public static final int DIR_DELETE = 2;

    private static final int O_MCMD = Aoe.HEADER + 1, O_MERROR = Aoe.HEADER + 2, O_COUNT = Aoe.HEADER + 3;

    private MacMask() {
    }

    public static int subcommand(ByteBuffer f) { return f.get(O_MCMD) & 0xff; }
    public static int maskError(ByteBuffer f) { return f.get(O_MERROR) & 0xff; }
    public static int directiveCount(ByteBuffer f) { return f.get(O_COUNT) & 0xff; }

    /** True if all declared directives are inside the frame. */
    public static boolean directivesFit(ByteBuffer f) {
        return f.limit() >= HEADER && HEADER + directiveCount(f) * DIRECTIVE <= f.limit();
    }

    public static int directiveCommand(ByteBuffer f, int i) { return f.get(HEADER + i * DIRECTIVE + 1) & 0xff; }
    public static long directiveMac(ByteBuffer f, int i) { return Mac.get(f, HEADER + i * DIRECTIVE + 2); }

    public static void putHeader(ByteBuffer f, int subcommand, int error, int count) {
        f.put(Aoe.HEADER, (byte) 0);
        f.put(O_MCMD, (byte) subcommand);
        f.put(O_MERROR, (byte) error);
        f.put(O_COUNT, (byte) count);
    }

    public static void putDirective(ByteBuffer f, int i, int command, long mac) {
        int o = HEADER + i * DIRECTIVE;
        f.put(o, (byte) 0);
        f.put(o + 1, (byte) command);
        Mac.put(f, o + 2, mac);
    }

    /** Writes a header and the list as add directives (the reply form); returns the frame length. */
    public static int putList(ByteBuffer f, int subcommand, long[] macs) {
        putHeader(f, subcommand, 0, macs.length);
        for (int i = 0; i < macs.length; i++) {
            putDirective(f, i, DIR_ADD, macs[i]);
        }
        return HEADER + macs.length * DIRECTIVE;
    }
}
