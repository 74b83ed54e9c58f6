package org.aoede.initiator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdentifyTest {
    static void word(byte[] id, int w, int v) {
        id[2 * w] = (byte) v;
        id[2 * w + 1] = (byte) (v >>> 8);
    }

    /** ATA strings: first character in the high byte of each word, space padded. */
    static void string(byte[] id, int w, int words, String s) {
        String p = String.format("%-" + 2 * words + "s", s);
        for (int i = 0; i < words; i++) {
            word(id, w + i, p.charAt(2 * i) << 8 | p.charAt(2 * i + 1));
        }
    }

    @Test
    void parsesStringsAndLba48Capacity() {
        byte[] id = new byte[512];
        string(id, 27, 20, "EtherDrive vblade");
        string(id, 10, 10, "SN123");
        string(id, 23, 4, "V25");
        word(id, 60, 0xffff);
        word(id, 61, 0x0fff);
        word(id, 83, 1 << 10 | 1 << 13);
        word(id, 100, 0x0000);
        word(id, 101, 0x2000);
        word(id, 102, 0x0001);
        Identify i = Identify.parse(id);
        assertEquals("EtherDrive vblade", i.model());
        assertEquals("SN123", i.serial());
        assertEquals("V25", i.firmware());
        assertTrue(i.lba48());
        assertTrue(i.flushExt());
        assertEquals(0x0fff_ffffL, i.lba28Sectors());
        assertEquals(0x1_2000_0000L, i.sectors());
    }

    @Test
    void withoutLba48UsesWords60And61() {
        byte[] id = new byte[512];
        word(id, 60, 0x0000);
        word(id, 61, 0x0002);
        word(id, 86, 1 << 13);  // flush ext enabled, no LBA48
        word(id, 100, 0x1234);
        Identify i = Identify.parse(id);
        assertFalse(i.lba48());
        assertTrue(i.flushExt());
        assertEquals(0x20000L, i.sectors());
    }

    @Test
    void enabledBitInWord86AloneMeansLba48() {
        byte[] id = new byte[512];
        word(id, 86, 1 << 10);
        word(id, 101, 2);  // 131072 sectors = 64 MiB
        assertEquals(131072L, Identify.parse(id).sectors());
    }
}
