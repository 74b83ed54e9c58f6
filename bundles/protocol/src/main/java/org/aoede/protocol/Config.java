package org.aoede.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The Query Config Information command header (8 bytes) and its config string. */
public final class Config {
    public static final int HEADER = Aoe.HEADER + 8;
    public static final int STRING = HEADER;
    public static final int MAX_STRING = 1024;

    public static final int READ = 0;
    public static final int TEST_EXACT = 1;
    public static final int TEST_PREFIX = 2;
    public static final int SET = 3;
    public static final int FORCE_SET = 4;

    private static final int O_BUFCNT = Aoe.HEADER, O_FWVER = Aoe.HEADER + 2, O_SCNT = Aoe.HEADER + 4,
            O_VERCMD = Aoe.HEADER + 5, O_LEN = Aoe.HEADER + 6;

    private Config() {
    }

    public static int bufferCount(ByteBuffer f) { return f.getShort(O_BUFCNT) & 0xffff; }
    public static int firmwareVersion(ByteBuffer f) { return f.getShort(O_FWVER) & 0xffff; }
    public static int sectorCount(ByteBuffer f) { return f.get(O_SCNT) & 0xff; }
    public static int aoeVersion(ByteBuffer f) { return (f.get(O_VERCMD) & 0xff) >>> 4; }
    public static int subcommand(ByteBuffer f) { return f.get(O_VERCMD) & 0x0f; }
    public static int stringLength(ByteBuffer f) { return f.getShort(O_LEN) & 0xffff; }

    /** True if the declared string length fits both the frame and the 1024-byte maximum. */
    public static boolean stringFits(ByteBuffer f) {
        if (f.limit() < HEADER) {
            return false;
        }
        int n = stringLength(f);
        return n <= MAX_STRING && STRING + n <= f.limit();
    }

    /** The config string bytes; call only when {@link #stringFits} holds. */
    public static byte[] string(ByteBuffer f) {
        byte[] s = new byte[stringLength(f)];
        f.get(STRING, s);
        return s;
    }

    public static void putHeader(ByteBuffer f, int bufferCount, int firmware, int sectors, int subcommand, int length) {
        f.putShort(O_BUFCNT, (short) bufferCount);
        f.putShort(O_FWVER, (short) firmware);
        f.put(O_SCNT, (byte) sectors);
        f.put(O_VERCMD, (byte) (Aoe.VERSION << 4 | (subcommand & 0x0f)));
        f.putShort(O_LEN, (short) length);
    }

    /** Writes header and string; returns the frame length. */
    public static int put(ByteBuffer f, int bufferCount, int firmware, int sectors, int subcommand, byte[] string) {
        putHeader(f, bufferCount, firmware, sectors, subcommand, string.length);
        f.put(STRING, string);
        return STRING + string.length;
    }

    public static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }
}
