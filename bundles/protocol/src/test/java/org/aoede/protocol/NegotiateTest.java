package org.aoede.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class NegotiateTest {
    private static ByteBuffer frame(String list) {
        byte[] b = list.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer f = ByteBuffer.allocate(Math.max(Aoe.MIN_FRAME, Negotiate.O_NAMES + b.length));
        Aoe.putHeader(f, 1, 2, 0, 0, 1, 0, Negotiate.COMMAND, 5);
        assertEquals(Negotiate.O_NAMES + b.length, Negotiate.put(f, b));
        return f;
    }

    @Test
    void encodesNamesWithTheDoubleNul() {
        assertEquals("reset\0congestion\u00005\0\0",
                new String(Negotiate.encode(List.of("reset", "congestion", "5")), StandardCharsets.US_ASCII));
        assertEquals("\0\0", new String(Negotiate.encode(List.of()), StandardCharsets.US_ASCII));
        assertThrows(IllegalArgumentException.class, () -> Negotiate.encode(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> Negotiate.encode(List.of("a\0b")));
    }

    @Test
    void putWritesTheLengthBigEndianAtOffset24() {
        ByteBuffer f = frame("ab\0\0");
        assertEquals(24, Negotiate.O_LENGTH);
        assertEquals(0, f.get(24));
        assertEquals(4, f.get(25));
        byte[] names = new byte[4];
        f.get(26, names);
        assertArrayEquals("ab\0\0".getBytes(StandardCharsets.US_ASCII), names);
    }

    @Test
    void roundTripAndTheWalkStopsAtTheDoubleNul() {
        List<String> names = List.of("reset", "congestion", "5", "crc8x4");
        assertEquals(names, Negotiate.names(frame(new String(Negotiate.encode(names), StandardCharsets.US_ASCII))));
        assertEquals(List.of("a", "b"), Negotiate.names(frame("a\0b\0\0c\0\0")));
        assertEquals(List.of("a"), Negotiate.names(frame("\0a\0\0")), "a leading NUL is an empty name, skipped");
        assertEquals(List.of(), Negotiate.names(frame("\0\0")));
    }

    @Test
    void lengthBigEndianFirstThenLittleEndian() {
        ByteBuffer f = frame("ab\0\0");
        assertEquals(4, Negotiate.namesLength(f));
        f.putShort(Negotiate.O_LENGTH, Short.reverseBytes((short) 4));   // the original's x86 order
        assertEquals(4, Negotiate.namesLength(f));
        assertEquals(List.of("ab"), Negotiate.names(f));
        f.putShort(Negotiate.O_LENGTH, (short) 1);                        // below 2 either way
        assertEquals(-1, Negotiate.namesLength(f));
        assertEquals(List.of(), Negotiate.names(f));
        f.putShort(Negotiate.O_LENGTH, (short) 0x7000);                   // past the frame either way
        assertEquals(-1, Negotiate.namesLength(f));
        assertEquals(-1, Negotiate.namesLength(frame("ab\0")), "no double NUL inside the length");
        ByteBuffer tiny = ByteBuffer.allocate(Negotiate.O_NAMES - 1);
        assertEquals(-1, Negotiate.namesLength(tiny));
    }

    @Test
    void spansSkipEmptyNames() {
        ByteBuffer f = frame("x\0\0");
        int end = Negotiate.listEnd(f, f.limit());
        assertEquals(Negotiate.O_NAMES + 1, end);
        int[] s = new int[2];
        int[] e = new int[2];
        assertEquals(1, Negotiate.spans(f, end, s, e));
        assertEquals("x", Negotiate.name(f, s[0], e[0]));
    }

    @Test
    void coalescedReadEntries() {
        ByteBuffer f = ByteBuffer.allocate(CoalescedRead.length(2));
        Aoe.putHeader(f, 1, 2, 0, 0, 1, 0, CoalescedRead.COMMAND, 5);
        assertEquals(Ata.HEADER + 1 + 32, f.limit());
        CoalescedRead.putCount(f, 2);
        CoalescedRead.putEntry(f, 0, 0x80000001, 0x0000_0102_0304_0506L, 17);
        CoalescedRead.putEntry(f, 1, 7, (1L << 48) - 1, 255);
        assertEquals(2, CoalescedRead.count(f));
        assertEquals(true, CoalescedRead.entriesFit(f));
        assertEquals(0x80000001, CoalescedRead.tag(f, 0));
        assertEquals(0x0000_0102_0304_0506L, CoalescedRead.lba(f, 0));
        assertEquals(17, CoalescedRead.sectors(f, 0));
        assertEquals((1L << 48) - 1, CoalescedRead.lba(f, 1));
        assertEquals(255, CoalescedRead.sectors(f, 1));
        int at = CoalescedRead.O_ENTRIES;
        assertEquals((byte) 0x80, f.get(at), "tag big-endian");
        assertEquals(0x06, f.get(at + 4), "lba little-endian");
        assertEquals(0x01, f.get(at + 9));
        CoalescedRead.putCount(f, 3);
        assertEquals(false, CoalescedRead.entriesFit(f), "a third entry does not fit");
        CoalescedRead.putCount(f, 0);
        assertEquals(false, CoalescedRead.entriesFit(f), "no entry");
    }
}
