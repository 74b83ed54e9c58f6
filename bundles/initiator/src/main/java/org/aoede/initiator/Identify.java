package org.aoede.initiator;

import java.nio.charset.StandardCharsets;

/**
 * The parts of ATA IDENTIFY DEVICE data (256 little-endian words) an initiator needs. Strings
 * hold two characters per word, first character in the high byte ("byte-swapped").
 */
public record Identify(String model, String serial, String firmware, boolean lba48, boolean flushExt,
                       long lba28Sectors, long lba48Sectors) {

    public static Identify parse(byte[] id) {
        if (id.length < 512) {
            throw new IllegalArgumentException("IDENTIFY data has " + id.length + " bytes, need 512");
        }
        // Like the Linux aoe driver: supported (83) or enabled (86) bit 10 means LBA48.
        int cmdSets = word(id, 83) | word(id, 86);
        long lba28 = word(id, 60) | (long) word(id, 61) << 16;
        long lba48 = 0;
        for (int w = 103; w >= 100; w--) {
            lba48 = lba48 << 16 | word(id, w);
        }
        return new Identify(string(id, 27, 20), string(id, 10, 10), string(id, 23, 4),
                (cmdSets & 1 << 10) != 0, (cmdSets & 1 << 13) != 0, lba28, lba48);
    }

    /** The capacity in sectors the initiator should use: the LBA48 count if LBA48 is supported. */
    public long sectors() {
        return lba48 ? lba48Sectors : lba28Sectors;
    }

    static int word(byte[] id, int w) {
        return (id[2 * w] & 0xff) | (id[2 * w + 1] & 0xff) << 8;
    }

    static String string(byte[] id, int firstWord, int words) {
        byte[] s = new byte[2 * words];
        for (int i = 0; i < words; i++) {
            int w = word(id, firstWord + i);
            s[2 * i] = (byte) (w >>> 8);
            s[2 * i + 1] = (byte) w;
        }
        return new String(s, StandardCharsets.ISO_8859_1).replace('\0', ' ').trim();
    }

    public String describe() {
        return String.format("model=\"%s\" serial=\"%s\" firmware=\"%s\" lba48=%b flushext=%b sectors=%d bytes=%d",
                Cli.escape(model), Cli.escape(serial), Cli.escape(firmware), lba48, flushExt, sectors(), sectors() * 512);
    }
}
