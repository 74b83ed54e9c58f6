package org.aoede.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Extension negotiation, AoE command 0x23 (the original AoEde's number). After the 24-byte common
 * header: a 16-bit length L, then L bytes of NUL-separated names ending with a double NUL
 * ({@code reset\0congestion\0005\0crc8x4\0\0}). L is big-endian (network order, like every AoE
 * field); the original sent it in x86 host order, so a reader falls back to little-endian when the
 * big-endian value is implausible ({@link #namesLength}). The reply echoes the request, each name
 * the target accepted upper-cased in place.
 */
public final class Negotiate {
    public static final int COMMAND = 0x23;
    /** Offset of the 16-bit length, and of the names. */
    public static final int O_LENGTH = Aoe.HEADER;
    public static final int O_NAMES = Aoe.HEADER + 2;

    private Negotiate() {
    }

    /** The name list: each name NUL-terminated, then one more NUL (two NULs for no names). */
    public static byte[] encode(List<String> names) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String n : names) {
            if (n.isEmpty() || n.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("extension names must be non-empty and contain no NUL: '" + n + "'");
            }
            b.writeBytes(n.getBytes(StandardCharsets.US_ASCII));
            b.write(0);
        }
        b.write(0);
        if (names.isEmpty()) {
            b.write(0);
        }
        return b.toByteArray();
    }

    /** Writes the length (big-endian) and the encoded list after the common header; returns the frame length. */
    public static int put(ByteBuffer f, byte[] list) {
        f.putShort(O_LENGTH, (short) list.length);
        f.put(O_NAMES, list);
        return O_NAMES + list.length;
    }

    /**
     * The length of the names area in the byte order accepted (big-endian first, then
     * little-endian), or -1 if neither reading is well-formed: at least 2, inside the frame, with a
     * double NUL inside it.
     */
    public static int namesLength(ByteBuffer f) {
        if (f.limit() < O_NAMES) {
            return -1;
        }
        int be = f.getShort(O_LENGTH) & 0xffff;
        if (wellFormed(f, be)) {
            return be;
        }
        int le = Short.reverseBytes(f.getShort(O_LENGTH)) & 0xffff;
        return le != be && wellFormed(f, le) ? le : -1;
    }

    private static boolean wellFormed(ByteBuffer f, int length) {
        return length >= 2 && O_NAMES + length <= f.limit() && listEnd(f, O_NAMES + length) >= 0;
    }

    /** Index of the double NUL that ends the list (searched below {@code end}), or -1. */
    public static int listEnd(ByteBuffer f, int end) {
        for (int i = O_NAMES; i + 1 < end; i++) {
            if (f.get(i) == 0 && f.get(i + 1) == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The names before {@code listEnd} as [start, end) spans (empty ones, a leading NUL, skipped);
     * the arrays need room for {@code (listEnd - O_NAMES) / 2 + 1}. Returns how many.
     */
    public static int spans(ByteBuffer f, int listEnd, int[] starts, int[] ends) {
        int count = 0;
        for (int i = O_NAMES; i < listEnd; ) {
            int j = i;
            while (j < listEnd && f.get(j) != 0) {
                j++;
            }
            if (j > i) {
                starts[count] = i;
                ends[count++] = j;
            }
            i = j + 1;
        }
        return count;
    }

    /** The bytes [start, end) as a name (ISO-8859-1: any byte maps to one char). */
    public static String name(ByteBuffer f, int start, int end) {
        byte[] b = new byte[end - start];
        f.get(start, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The names of a well-formed 0x23 frame (request or reply) as they stand; none if malformed. */
    public static List<String> names(ByteBuffer f) {
        List<String> out = new ArrayList<>();
        int length = namesLength(f);
        if (length < 0) {
            return out;
        }
        int end = listEnd(f, O_NAMES + length);
        int[] starts = new int[(end - O_NAMES) / 2 + 1];
        int[] ends = new int[starts.length];
        int n = spans(f, end, starts, ends);
        for (int k = 0; k < n; k++) {
            out.add(name(f, starts[k], ends[k]));
        }
        return out;
    }
}
