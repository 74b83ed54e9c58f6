package org.aoede.protocol;

import static org.aoede.protocol.Hex.bytes;
import static org.aoede.protocol.Hex.contents;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MacTest {

    @Test
    void broadcastConstant() {
        assertEquals(0xffffffffffffL, Mac.BROADCAST);
    }

    // ---------------------------------------------------------------- parse

    @ParameterizedTest
    @ValueSource(strings = {
            "00:11:22:aa:bb:cc",
            "00-11-22-AA-BB-CC",
            "001122aabbcc",
            "00:11:22:AA:BB:CC",
            "00-11-22-aa-bb-cc",
            "001122AABBCC",
            "00:11:22:aA:Bb:cC",
            "001122AaBbCc",
    })
    void parsesAcceptedForms(String text) {
        assertEquals(0x001122aabbccL, Mac.parse(text));
    }

    @Test
    void parsesExtremes() {
        assertEquals(0L, Mac.parse("00:00:00:00:00:00"));
        assertEquals(0L, Mac.parse("000000000000"));
        assertEquals(Mac.BROADCAST, Mac.parse("ff:ff:ff:ff:ff:ff"));
        assertEquals(Mac.BROADCAST, Mac.parse("FF-FF-FF-FF-FF-FF"));
        assertEquals(Mac.BROADCAST, Mac.parse("ffffffffffff"));
        assertEquals(0x800000000000L, Mac.parse("80:00:00:00:00:00"));
        assertEquals(0x0123456789abL, Mac.parse("01:23:45:67:89:ab"));
        assertEquals(0xcdef01234567L, Mac.parse("cd-ef-01-23-45-67"));
    }

    @Test
    void parseToleratesSurroundingWhitespace() {
        // Config files and command lines: leading/trailing blanks are trimmed.
        assertEquals(0x001122aabbccL, Mac.parse(" 00:11:22:aa:bb:cc "));
        assertEquals(0x001122aabbccL, Mac.parse("\t001122aabbcc\n"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            // wrong length
            "0",
            "00",
            "00:11:22:aa:bb",
            "00:11:22:aa:bb:c",
            "00:11:22:aa:bb:cc:",
            ":00:11:22:aa:bb:cc",
            "00:11:22:aa:bb:cc:dd",
            "00:11:22:aa:bb:ccd",
            "0:11:22:aa:bb:cc",
            "00:11:22:aa:bb:ccc",
            "001122aabbc",
            "001122aabbccd",
            "001122aabbccdd",
            "00112233445566778899",
            // bad hex
            "00:11:22:aa:bb:cg",
            "g0:11:22:aa:bb:cc",
            "00:11:22:aa:bb:zz",
            "00112233445g",
            "0x1122aabbcc",
            "0x001122aabbcc",
            "+01122aabbcc",
            "-01122aabbcc",
            "00:11:22:aa:bb:-c",
            "00:11:22:aa:bb:+c",
            "\uff10\uff10:11:22:aa:bb:cc",
            "00:11:22:aa:bb:c\u00e9",
            "٠٠:11:22:aa:bb:cc",
            // mixed separators
            "00:11-22:aa:bb:cc",
            "00-11:22-aa:bb-cc",
            "00:11:22:aa:bb-cc",
            "00-11-22-aa-bb:cc",
            // misplaced separators
            "0:011:22:aa:bb:cc",
            "001:12:2a:ab:bc:c",
            "00::1122:aa:bb:cc",
            "00:1122:aa:bb:cc:",
            "0011:22aa:bbcc",
            "0011-22aa-bbcc",
            "0011.22aa.bbcc",
            "00112:2aabbcc",
            "001122:aabbcc",
            "001122-aabbcc",
            "00:11:22aabbcc",
            ":::::",
            ":::::::::::::::::",
            "-----------------",
            "::::::001122aabbcc",
            "00:11:22:aa:bb:cc::::",
            // other separators
            "00.11.22.aa.bb.cc",
            "00_11_22_aa_bb_cc",
            "00;11;22;aa;bb;cc",
            "00/11/22/aa/bb/cc",
            // spaces inside
            "00 11 22 aa bb cc",
            "00: 11:22:aa:bb:cc",
            "00 :11:22:aa:bb:cc",
            "00:11:22:aa:bb: c",
            "0011 22aabbcc",
            "001122aabb c",
            "00:11:22:aa:bb:c c",
            "00:11:22:\taa:bb:cc",
            // blanks only
            " ",
            "   ",
            "\t",
    })
    void rejectsMalformed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mac.parse(text));
        assertTrue(e.getMessage() != null && e.getMessage().contains(String.valueOf(text)),
                "message must name the input: " + e.getMessage());
    }

    // ---------------------------------------------------------------- format

    @Test
    void formatIsLowerCaseColonSeparated() {
        assertEquals("00:11:22:aa:bb:cc", Mac.format(0x001122aabbccL));
        assertEquals("00:00:00:00:00:00", Mac.format(0L));
        assertEquals("ff:ff:ff:ff:ff:ff", Mac.format(Mac.BROADCAST));
        assertEquals("80:00:00:00:00:01", Mac.format(0x800000000001L));
        assertEquals("01:02:03:04:05:06", Mac.format(0x010203040506L));
        assertEquals("0a:0b:0c:0d:0e:0f", Mac.format(0x0a0b0c0d0e0fL));
    }

    @Test
    void formatIgnoresBitsAbove48() {
        assertEquals("00:11:22:aa:bb:cc", Mac.format(0xabcd_0011_22aa_bbccL));
        assertEquals("ff:ff:ff:ff:ff:ff", Mac.format(-1L));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 0xffL, 0x001122aabbccL, 0x800000000000L, 0x7fffffffffffL, 0xffffffffffffL,
            0x0a0000000009L, 0x020000000002L})
    void formatParseRoundTrip(long mac) {
        String s = Mac.format(mac);
        assertEquals(17, s.length());
        assertEquals(mac, Mac.parse(s));
        assertEquals(mac, Mac.parse(s.replace(':', '-').toUpperCase()));
        assertEquals(mac, Mac.parse(s.replace(":", "")));
    }

    // ---------------------------------------------------------------- bytes / of

    @Test
    void bytesIsNetworkOrder() {
        assertArrayEquals(bytes("001122aabbcc"), Mac.bytes(0x001122aabbccL));
        assertArrayEquals(bytes("000000000000"), Mac.bytes(0L));
        assertArrayEquals(bytes("ffffffffffff"), Mac.bytes(Mac.BROADCAST));
        assertArrayEquals(bytes("800000000001"), Mac.bytes(0x800000000001L));
        assertArrayEquals(bytes("00112233aabb"), Mac.bytes(0x7777_0011_2233_aabbL));
    }

    @Test
    void ofIsNetworkOrderAndUnsigned() {
        assertEquals(0x001122aabbccL, Mac.of(bytes("001122aabbcc")));
        assertEquals(0L, Mac.of(new byte[6]));
        assertEquals(Mac.BROADCAST, Mac.of(bytes("ffffffffffff")));
        assertEquals(0x80ff00ff00ffL, Mac.of(bytes("80ff00ff00ff")));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 0x001122aabbccL, 0x800000000000L, 0xffffffffffffL, 0x0102030405L})
    void ofBytesRoundTrip(long mac) {
        assertEquals(mac, Mac.of(Mac.bytes(mac)));
        assertEquals(mac, Mac.parse(Mac.format(Mac.of(Mac.bytes(mac)))));
    }

    @Test
    void ofRejectsWrongLengths() {
        assertThrows(IllegalArgumentException.class, () -> Mac.of(null));
        for (int n : new int[] {0, 1, 5, 7, 8, 16}) {
            assertThrows(IllegalArgumentException.class, () -> Mac.of(new byte[n]), "length " + n);
        }
    }

    // ---------------------------------------------------------------- get / put

    @Test
    void getReadsSixBytesBigEndianAtAnyIndex() {
        ByteBuffer b = ByteBuffer.wrap(bytes("ee 001122aabbcc ee ffffffffffff"));
        assertEquals(0x001122aabbccL, Mac.get(b, 1));
        assertEquals(Mac.BROADCAST, Mac.get(b, 8));
        assertEquals(0xee001122aabbL, Mac.get(b, 0));
    }

    @Test
    void putWritesSixBytesAndNothingElse() {
        ByteBuffer b = ByteBuffer.wrap(bytes("ee".repeat(10)));
        b.position(4).limit(9);
        Mac.put(b, 2, 0x001122aabbccL);
        assertEquals(4, b.position());
        assertEquals(9, b.limit());
        b.limit(10);
        assertArrayEquals(bytes("eeee 001122aabbcc ee ee"), contents(b));
        Mac.put(b, 0, 0xffff_0000_0000_0001L);
        assertArrayEquals(bytes("000000000001 bbcc eeee"), contents(b));
    }

    @Test
    void getPutRoundTripWithSignBits() {
        ByteBuffer b = ByteBuffer.allocate(6);
        for (long mac : new long[] {0L, Mac.BROADCAST, 0x800000000000L, 0x000080000000L, 0x000000008000L,
                0x7fff7fffffffL}) {
            Mac.put(b, 0, mac);
            assertEquals(mac, Mac.get(b, 0));
            assertArrayEquals(Mac.bytes(mac), contents(b));
        }
    }

    @Test
    void getOutsideTheLimitThrows() {
        ByteBuffer b = ByteBuffer.allocate(12).limit(7);
        assertThrows(IndexOutOfBoundsException.class, () -> Mac.get(b, 2));
    }
}
