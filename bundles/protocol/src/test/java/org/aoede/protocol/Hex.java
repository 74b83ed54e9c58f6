package org.aoede.protocol;

import java.nio.ByteBuffer;

/** Test helper: frames built by hand from hex text, independent of the code under test. */
final class Hex {
    private Hex() {
    }

    /** Parses hex text; spaces, '|' and '_' are ignored so layouts can be written field by field. */
    static byte[] bytes(String hex) {
        String s = hex.replaceAll("[\\s|_]", "");
        if (s.length() % 2 != 0) {
            throw new IllegalArgumentException("odd hex: " + hex);
        }
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** A buffer holding exactly these bytes (limit = capacity = length). */
    static ByteBuffer frame(String hex) {
        return ByteBuffer.wrap(bytes(hex));
    }

    /** A zeroed buffer of the given length. */
    static ByteBuffer zeros(int n) {
        return ByteBuffer.allocate(n);
    }

    /** A copy of the buffer contents from 0 to limit. */
    static byte[] contents(ByteBuffer f) {
        byte[] out = new byte[f.limit()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.get(i);
        }
        return out;
    }

    /** A copy of bytes [from, to). */
    static byte[] range(ByteBuffer f, int from, int to) {
        byte[] out = new byte[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = f.get(i);
        }
        return out;
    }

    /**
     * The standard hand-built request used by several tests (AoE r11 section 2/3):
     * dst 02:00:00:00:00:01, src 02:00:00:00:00:02, type 88a2, ver 1 flags 0, err 0,
     * shelf 0x1234, slot 0x56, cmd 0 (ATA), tag 0xdeadbeef.
     */
    static final String COMMON =
            "020000000001 | 020000000002 | 88a2 | 10 | 00 | 1234 | 56 | 00 | deadbeef";
}
