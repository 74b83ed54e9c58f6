package org.aoede.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds the 512-byte IDENTIFY DEVICE block as the Linux aoe driver parses it. */
final class Identify {
    static final int FIRMWARE_VERSION = 0x0001;

    private Identify() {
    }

    static byte[] build(long sectors, String model, String serial, String firmware) {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        word(b, 0, 0x0040);                         // fixed disk
        int cyl = (int) Math.min(sectors / (16 * 63), 16383);
        word(b, 1, cyl);
        word(b, 3, 16);
        word(b, 6, 63);
        text(b, 10, 20, serial);
        text(b, 23, 8, firmware);
        text(b, 27, 40, model);
        word(b, 47, 0x8000);
        word(b, 49, 0x0200);                        // LBA supported
        word(b, 50, 0x4000);
        word(b, 53, 0x0001);                        // words 54-58 valid
        word(b, 54, cyl);
        word(b, 55, 16);
        word(b, 56, 63);
        long chs = (long) cyl * 16 * 63;
        word(b, 57, (int) chs);
        word(b, 58, (int) (chs >>> 16));
        long lba28 = Math.min(sectors, 0x0fff_ffffL);
        word(b, 60, (int) lba28);
        word(b, 61, (int) (lba28 >>> 16));
        word(b, 80, 0x00f0);                        // ATA-4 to ATA-7
        // Supported (82-84) and enabled (85-87): write cache (82/85 bit 5), LBA48 (83/86 bit 10),
        // FLUSH CACHE (83/86 bit 12) and FLUSH CACHE EXT (83/86 bit 13); 83/84/87 bit 14 must be one.
        word(b, 82, 0x0020);
        word(b, 83, 0x4000 | 1 << 13 | 1 << 12 | 1 << 10);
        word(b, 84, 0x4000);
        word(b, 85, 0x0020);
        word(b, 86, 1 << 13 | 1 << 12 | 1 << 10);
        word(b, 87, 0x4000);
        b.putLong(200, sectors);                    // words 100-103: LBA48 capacity
        return b.array();
    }

    private static void word(ByteBuffer b, int word, int v) {
        b.putShort(word * 2, (short) v);
    }

    /** ATA strings: space padded, two characters a word, the first in the high byte. */
    private static void text(ByteBuffer b, int word, int len, String s) {
        for (int i = 0; i < len; i++) {
            char c = i < s.length() ? s.charAt(i) : ' ';
            b.put(word * 2 + (i ^ 1), (byte) c);
        }
    }
}
