package org.aoede.protocol;

import java.nio.ByteBuffer;
import java.util.Locale;

/** MAC addresses as the low 48 bits of a {@code long}: cheap to compare and to keep in sets. */
public final class Mac {
    public static final long BROADCAST = 0xffff_ffff_ffffL;

    private Mac() {
    }

    public static long get(ByteBuffer b, int index) {
        return (b.getShort(index) & 0xffffL) << 32 | (b.getInt(index + 2) & 0xffff_ffffL);
    }

    public static void put(ByteBuffer b, int index, long mac) {
        b.putShort(index, (short) (mac >>> 32));
        b.putInt(index + 2, (int) mac);
    }

    public static long of(byte[] six) {
        if (six == null || six.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes");
        }
        long v = 0;
        for (byte x : six) {
            v = v << 8 | (x & 0xff);
        }
        return v;
    }

    public static byte[] bytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 5; i >= 0; i--) {
            b[i] = (byte) mac;
            mac >>>= 8;
        }
        return b;
    }

    /**
     * Parses {@code 00:11:22:aa:bb:cc}, {@code 00-11-22-AA-BB-CC} or {@code 001122aabbcc}.
     *
     * @throws IllegalArgumentException naming the text if it is not a MAC address
     */
    public static long parse(String text) {
        String s = text == null ? "" : text.trim();
        String hex = s.replace(":", "").replace("-", "");
        boolean separated = s.length() == 17;
        if (hex.length() != 12 || (!separated && s.length() != 12) || !hex.matches("[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        if (separated) {
            for (int i = 2; i < 17; i += 3) {
                char c = s.charAt(i);
                if ((c != ':' && c != '-') || c != s.charAt(2)) {      // one kind of separator throughout
                    throw new IllegalArgumentException("not a MAC address: '" + text + "'");
                }
            }
        }
        return Long.parseLong(hex, 16);
    }

    public static String format(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            sb.append(String.format(Locale.ROOT, "%02x", (mac >>> (8 * i)) & 0xff));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
