package org.aoede.protocol;

import static org.aoede.protocol.Hex.bytes;
import static org.aoede.protocol.Hex.contents;
import static org.aoede.protocol.Hex.frame;
import static org.aoede.protocol.Hex.range;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

    private static final String CONFIG_COMMON =
            "ffffffffffff | 020000000002 | 88a2 | 10 | 00 | ffff | ff | 01 | 00000000";

    /** A config frame with the given string length field, total length {@code frameLength}. */
    private static ByteBuffer withLength(int declared, int frameLength) {
        byte[] b = new byte[Math.max(frameLength, 32)];
        System.arraycopy(bytes(CONFIG_COMMON + "0000 0000 00 10"), 0, b, 0, 30);
        b[30] = (byte) (declared >>> 8);
        b[31] = (byte) declared;
        return ByteBuffer.wrap(b).limit(frameLength);
    }

    @Test
    void constants() {
        assertEquals(32, Config.HEADER);
        assertEquals(32, Config.STRING);
        assertEquals(1024, Config.MAX_STRING);
        assertEquals(0, Config.READ);
        assertEquals(1, Config.TEST_EXACT);
        assertEquals(2, Config.TEST_PREFIX);
        assertEquals(3, Config.SET);
        assertEquals(4, Config.FORCE_SET);
    }

    @Test
    void readsEveryConfigHeaderField() {
        // bufcnt 0x0102, fwver 0x4010, scnt 17, ver 1 ccmd 3, cslen 5, "hello"
        ByteBuffer f = frame(CONFIG_COMMON + "0102 | 4010 | 11 | 13 | 0005 | 68656c6c6f");
        assertEquals(0x0102, Config.bufferCount(f));
        assertEquals(0x4010, Config.firmwareVersion(f));
        assertEquals(17, Config.sectorCount(f));
        assertEquals(1, Config.aoeVersion(f));
        assertEquals(3, Config.subcommand(f));
        assertEquals(5, Config.stringLength(f));
        assertTrue(Config.stringFits(f));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), Config.string(f));
    }

    @Test
    void readersAreUnsignedAndBigEndian() {
        ByteBuffer f = frame(CONFIG_COMMON + "ff fe | 80 01 | ff | f4 | 0400");
        assertEquals(0xfffe, Config.bufferCount(f));
        assertEquals(0x8001, Config.firmwareVersion(f));
        assertEquals(0xff, Config.sectorCount(f));
        assertEquals(0xf, Config.aoeVersion(f));
        assertEquals(4, Config.subcommand(f));
        assertEquals(1024, Config.stringLength(f));
        ByteBuffer g = frame(CONFIG_COMMON + "0000 0000 00 00 ffff");
        assertEquals(0xffff, Config.stringLength(g));
    }

    @ParameterizedTest
    @CsvSource({"00, 0, 0", "10, 1, 0", "14, 1, 4", "2f, 2, 15", "f0, 15, 0", "0f, 0, 15"})
    void versionAndSubcommandNibbles(String b29, int version, int ccmd) {
        ByteBuffer f = frame(CONFIG_COMMON + "0000 0000 00 " + b29 + " 0000");
        assertEquals(version, Config.aoeVersion(f));
        assertEquals(ccmd, Config.subcommand(f));
    }

    // ---------------------------------------------------------------- stringFits

    @Test
    void stringFitsEmpty() {
        assertTrue(Config.stringFits(withLength(0, 32)));
        assertEquals(0, Config.string(withLength(0, 32)).length);
        assertTrue(Config.stringFits(withLength(0, 60))); // padded to min frame
    }

    @Test
    void stringFitsMaximum1024() {
        assertTrue(Config.stringFits(withLength(1024, 32 + 1024)));
        assertTrue(Config.stringFits(withLength(1024, 1514)));
        assertFalse(Config.stringFits(withLength(1024, 32 + 1023)));
    }

    @Test
    void stringOver1024NeverFitsEvenInAJumboFrame() {
        assertFalse(Config.stringFits(withLength(1025, 9014)));
        assertFalse(Config.stringFits(withLength(1025, 32 + 1025)));
        assertFalse(Config.stringFits(withLength(0xffff, 9014)));
        assertFalse(Config.stringFits(withLength(0x8000, 9014)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 27, 28, 29, 100, 512, 1000, 1023, 1024})
    void stringFitsExactlyWhenTheFrameHoldsIt(int n) {
        assertTrue(Config.stringFits(withLength(n, 32 + n)));
        assertFalse(Config.stringFits(withLength(n, 32 + n - 1)));
        assertFalse(Config.stringFits(withLength(n, 32)));
    }

    @Test
    void stringLengthBeyondFrameLimitInsideCapacity() {
        // Capacity holds the string but limit (the received length) does not.
        ByteBuffer f = withLength(10, 100);
        f.limit(41);
        assertFalse(Config.stringFits(f));
        f.limit(42);
        assertTrue(Config.stringFits(f));
    }

    @Test
    void stringFitsIsFalseOnFramesTruncatedBeforeTheLengthField() {
        byte[] full = bytes(CONFIG_COMMON + "0000 0000 00 10 0000");
        for (int n = 0; n < 32; n++) {
            ByteBuffer exact = ByteBuffer.wrap(Arrays.copyOf(full, n));
            ByteBuffer limited = ByteBuffer.wrap(full.clone()).limit(n);
            assertFalse(Config.stringFits(exact), "array length " + n);
            assertFalse(Config.stringFits(limited), "limit " + n);
        }
        assertTrue(Config.stringFits(ByteBuffer.wrap(full)));
    }

    @Test
    void stringFitsAtEveryTruncationFrom0To36() {
        // declared length 4: fits from 36 bytes on
        byte[] full = bytes(CONFIG_COMMON + "0000 0000 00 10 0004 61626364");
        for (int n = 0; n <= 36; n++) {
            assertEquals(n >= 36, Config.stringFits(ByteBuffer.wrap(Arrays.copyOf(full, n))), "length " + n);
            assertEquals(n >= 36, Config.stringFits(ByteBuffer.wrap(full.clone()).limit(n)), "limit " + n);
        }
    }

    // ---------------------------------------------------------------- writers

    @Test
    void putHeaderWritesHandBuiltLayout() {
        ByteBuffer f = ByteBuffer.wrap(bytes(CONFIG_COMMON + "ff".repeat(8) + "aa"));
        Config.putHeader(f, 64, 0x4010, 2, Config.READ, 0x0123);
        assertArrayEquals(bytes(CONFIG_COMMON + "0040 | 4010 | 02 | 10 | 0123 | aa"), contents(f));
    }

    @Test
    void putHeaderMasksSubcommandAndKeepsVersionOne() {
        ByteBuffer f = ByteBuffer.wrap(bytes(CONFIG_COMMON + "00".repeat(8)));
        Config.putHeader(f, 0x12345, 0xfffff, 0x1ff, 0xf3, 0x10400);
        assertArrayEquals(bytes("2345 | ffff | ff | 13 | 0400"), range(f, 24, 32));
    }

    @Test
    void putWritesHeaderAndStringAndReturnsLength() {
        ByteBuffer f = ByteBuffer.allocate(100);
        f.put(0, bytes(CONFIG_COMMON));
        f.position(3).limit(90);
        int n = Config.put(f, 16, 0x4010, 17, Config.SET, "ab\u00e9".getBytes(StandardCharsets.UTF_8));
        assertEquals(36, n);
        assertEquals(3, f.position());
        assertEquals(90, f.limit());
        assertArrayEquals(bytes(CONFIG_COMMON + "0010 | 4010 | 11 | 13 | 0004 | 61 62 c3 a9"), range(f, 0, 36));
        assertEquals(0, f.get(36));
    }

    @Test
    void putEmptyString() {
        ByteBuffer f = ByteBuffer.allocate(60);
        int n = Config.put(f, 1, 2, 3, Config.READ, new byte[0]);
        assertEquals(32, n);
        assertArrayEquals(bytes("0001 0002 03 10 0000"), range(f, 24, 32));
    }

    @Test
    void putMaximumString() {
        byte[] s = new byte[1024];
        Arrays.fill(s, (byte) 'x');
        ByteBuffer f = ByteBuffer.allocate(1514);
        int n = Config.put(f, 1, 2, 3, Config.FORCE_SET, s);
        assertEquals(1056, n);
        assertEquals(0x04, f.get(30));
        assertEquals(0x00, f.get(31));
        assertEquals(0x14, f.get(29));
        f.limit(n);
        assertTrue(Config.stringFits(f));
        assertArrayEquals(s, Config.string(f));
    }

    @Test
    void stringDoesNotMovePositionOrLimit() {
        ByteBuffer f = ByteBuffer.allocate(80);
        f.put(0, bytes(CONFIG_COMMON + "0000 0000 00 10 0003 787978"));
        f.position(50).limit(70);
        assertArrayEquals(bytes("787978"), Config.string(f));
        Config.bufferCount(f);
        Config.firmwareVersion(f);
        Config.sectorCount(f);
        Config.aoeVersion(f);
        Config.subcommand(f);
        Config.stringLength(f);
        Config.stringFits(f);
        Config.putHeader(f, 1, 2, 3, 4, 5);
        assertEquals(50, f.position());
        assertEquals(70, f.limit());
    }

    @Test
    void bytesIsUtf8AndNullSafe() {
        assertArrayEquals(new byte[0], Config.bytes(null));
        assertArrayEquals(new byte[0], Config.bytes(""));
        assertArrayEquals(bytes("616263"), Config.bytes("abc"));
        assertArrayEquals(bytes("c3a9 e282ac"), Config.bytes("\u00e9\u20ac"));
    }
}
