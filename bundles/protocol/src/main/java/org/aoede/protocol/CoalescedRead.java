package org.aoede.protocol;

import java.nio.ByteBuffer;

/**
 * Coalesced read, AoE command 0x24 (the original AoEde's number; for an initiator that negotiated
 * {@code coalesced_read}): after the 12-byte ATA header (ignored) a count byte, then that many
 * 16-byte entries {tag[4] big-endian, lba[6] little-endian, reserved[5], sector count[1]}. Each
 * entry is answered as a READ EXT under its own tag.
 */
public final class CoalescedRead {
    public static final int COMMAND = 0x24;
    public static final int O_COUNT = Ata.HEADER;
    public static final int O_ENTRIES = Ata.HEADER + 1;
    public static final int ENTRY = 16;
    /** The count is one byte. */
    public static final int MAX_ENTRIES = 255;

    private CoalescedRead() {
    }

    /** Frame length for {@code n} entries. */
    public static int length(int n) {
        return O_ENTRIES + n * ENTRY;
    }

    public static int count(ByteBuffer f) {
        return f.get(O_COUNT) & 0xff;
    }

    public static void putCount(ByteBuffer f, int n) {
        f.put(O_COUNT, (byte) n);
    }

    /** True if the frame holds at least one entry and all the entries its count says. */
    public static boolean entriesFit(ByteBuffer f) {
        return f.limit() >= O_ENTRIES && count(f) > 0 && length(count(f)) <= f.limit();
    }

    public static int tag(ByteBuffer f, int k) {
        return f.getInt(O_ENTRIES + k * ENTRY);
    }

    public static long lba(ByteBuffer f, int k) {
        int at = O_ENTRIES + k * ENTRY + 4;
        long lba = 0;
        for (int i = 5; i >= 0; i--) {
            lba = lba << 8 | (f.get(at + i) & 0xff);
        }
        return lba;
    }

    public static int sectors(ByteBuffer f, int k) {
        return f.get(O_ENTRIES + k * ENTRY + 15) & 0xff;
    }

    /** Writes entry {@code k}; its reserved bytes are zeroed. */
    public static void putEntry(ByteBuffer f, int k, int tag, long lba, int sectors) {
        int at = O_ENTRIES + k * ENTRY;
        f.putInt(at, tag);
        for (int i = 0; i < 6; i++) {
            f.put(at + 4 + i, (byte) (lba >>> (8 * i)));
        }
        for (int i = 10; i < 15; i++) {
            f.put(at + i, (byte) 0);
        }
        f.put(at + 15, (byte) sectors);
    }
}
