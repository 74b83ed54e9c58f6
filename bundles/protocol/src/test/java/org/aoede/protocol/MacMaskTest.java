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
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacMaskTest {

    private static final String MASK_COMMON =
            "0a0000000009 | 020000000002 | 88a2 | 10 | 00 | 0001 | 02 | 02 | 00000007";

    /** A mask frame declaring {@code count} directives with a buffer of {@code frameLength} bytes. */
    private static ByteBuffer declaring(int count, int frameLength) {
        byte[] b = new byte[Math.max(frameLength, 28)];
        System.arraycopy(bytes(MASK_COMMON + "00 01 00"), 0, b, 0, 27);
        b[27] = (byte) count;
        return ByteBuffer.wrap(b).limit(frameLength);
    }

    @Test
    void constants() {
        assertEquals(28, MacMask.HEADER);
        assertEquals(8, MacMask.DIRECTIVE);
        assertEquals(0, MacMask.READ);
        assertEquals(1, MacMask.EDIT);
        assertEquals(1, MacMask.ERR_UNSPECIFIED);
        assertEquals(2, MacMask.ERR_BAD_DIRECTIVE);
        assertEquals(3, MacMask.ERR_FULL);
        assertEquals(0, MacMask.DIR_NOP);
        assertEquals(1, MacMask.DIR_ADD);
        assertEquals(2, MacMask.DIR_DELETE);
    }

    @Test
    void readsHeaderAndDirectives() {
        ByteBuffer f = frame(MASK_COMMON
                + "00 | 01 | 00 | 03"
                + "00 01 001122aabbcc"
                + "00 02 ffffffffffff"
                + "00 00 800000000001");
        assertEquals(1, MacMask.subcommand(f));
        assertEquals(0, MacMask.maskError(f));
        assertEquals(3, MacMask.directiveCount(f));
        assertTrue(MacMask.directivesFit(f));
        assertEquals(1, MacMask.directiveCommand(f, 0));
        assertEquals(0x001122aabbccL, MacMask.directiveMac(f, 0));
        assertEquals(2, MacMask.directiveCommand(f, 1));
        assertEquals(Mac.BROADCAST, MacMask.directiveMac(f, 1));
        assertEquals(0, MacMask.directiveCommand(f, 2));
        assertEquals(0x800000000001L, MacMask.directiveMac(f, 2));
    }

    @Test
    void readersAreUnsignedAndIgnoreReservedBytes() {
        ByteBuffer f = frame(MASK_COMMON + "ff | ff | fe | ff" + "ff ff 0102030405 06");
        assertEquals(0xff, MacMask.subcommand(f));
        assertEquals(0xfe, MacMask.maskError(f));
        assertEquals(255, MacMask.directiveCount(f));
        assertEquals(0xff, MacMask.directiveCommand(f, 0));
        assertEquals(0x010203040506L, MacMask.directiveMac(f, 0));
        assertFalse(MacMask.directivesFit(f));
    }

    // ---------------------------------------------------------------- directivesFit

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 100, 183, 184, 255})
    void directivesFitExactly(int count) {
        int needed = 28 + 8 * count;
        assertTrue(MacMask.directivesFit(declaring(count, needed)), "exact");
        assertTrue(MacMask.directivesFit(declaring(count, needed + 1)), "longer");
        if (count > 0) {
            assertFalse(MacMask.directivesFit(declaring(count, needed - 1)), "one short");
            assertFalse(MacMask.directivesFit(declaring(count, 28)), "header only");
        }
    }

    @Test
    void countsThatOverrunAStandardFrame() {
        // 1514-byte frame: (1514 - 28) / 8 = 185 directives fit, 186 do not.
        assertTrue(MacMask.directivesFit(declaring(185, 1514)));
        assertFalse(MacMask.directivesFit(declaring(186, 1514)));
        assertFalse(MacMask.directivesFit(declaring(255, 1514)));
        // minimum frame: (60 - 28) / 8 = 4
        assertTrue(MacMask.directivesFit(declaring(4, 60)));
        assertFalse(MacMask.directivesFit(declaring(5, 60)));
    }

    @Test
    void limitNotCapacityDecides() {
        ByteBuffer f = declaring(2, 100);
        f.limit(43);
        assertFalse(MacMask.directivesFit(f));
        f.limit(44);
        assertTrue(MacMask.directivesFit(f));
    }

    @Test
    void directivesFitIsFalseAtEveryTruncationBelowTheHeader() {
        byte[] full = bytes(MASK_COMMON + "00 00 00 00");
        for (int n = 0; n < 28; n++) {
            assertFalse(MacMask.directivesFit(ByteBuffer.wrap(Arrays.copyOf(full, n))), "length " + n);
            assertFalse(MacMask.directivesFit(ByteBuffer.wrap(full.clone()).limit(n)), "limit " + n);
        }
        assertTrue(MacMask.directivesFit(ByteBuffer.wrap(full)));
    }

    @Test
    void directivesFitAtEveryTruncationFrom0To36() {
        byte[] full = bytes(MASK_COMMON + "00 01 00 01 | 00 01 001122334455");
        for (int n = 0; n <= 36; n++) {
            assertEquals(n >= 36, MacMask.directivesFit(ByteBuffer.wrap(Arrays.copyOf(full, n))), "length " + n);
            assertEquals(n >= 36, MacMask.directivesFit(ByteBuffer.wrap(full.clone()).limit(n)), "limit " + n);
        }
    }

    // ---------------------------------------------------------------- writers

    @Test
    void putHeaderWritesHandBuiltLayout() {
        ByteBuffer f = ByteBuffer.wrap(bytes(MASK_COMMON + "ff ff ff ff | ee"));
        MacMask.putHeader(f, MacMask.EDIT, MacMask.ERR_FULL, 7);
        assertArrayEquals(bytes(MASK_COMMON + "00 01 03 07 | ee"), contents(f));
    }

    @Test
    void putDirectiveWritesHandBuiltLayout() {
        ByteBuffer f = ByteBuffer.wrap(bytes(MASK_COMMON + "00 00 00 02" + "ff".repeat(16) + "ee"));
        MacMask.putDirective(f, 1, MacMask.DIR_DELETE, 0x001122aabbccL);
        assertArrayEquals(bytes(MASK_COMMON + "00 00 00 02 | ffffffffffffffff | 00 02 001122aabbcc | ee"),
                contents(f));
        MacMask.putDirective(f, 0, MacMask.DIR_ADD, Mac.BROADCAST);
        assertArrayEquals(bytes("00 01 ffffffffffff | 00 02 001122aabbcc"), range(f, 28, 44));
    }

    @Test
    void putListWritesAddDirectivesAndReturnsLength() {
        ByteBuffer f = ByteBuffer.allocate(100);
        f.put(0, bytes(MASK_COMMON));
        f.position(11).limit(95);
        int n = MacMask.putList(f, MacMask.READ, new long[] {0x020000000002L, 0x0a0b0c0d0e0fL});
        assertEquals(44, n);
        assertEquals(11, f.position());
        assertEquals(95, f.limit());
        assertArrayEquals(bytes(MASK_COMMON + "00 00 00 02 | 00 01 020000000002 | 00 01 0a0b0c0d0e0f"),
                range(f, 0, 44));
    }

    @Test
    void putListEmpty() {
        ByteBuffer f = ByteBuffer.wrap(bytes(MASK_COMMON + "ff ff ff ff"));
        assertEquals(28, MacMask.putList(f, MacMask.EDIT, new long[0]));
        assertArrayEquals(bytes(MASK_COMMON + "00 01 00 00"), contents(f));
    }

    @Test
    void accessorsNeverMovePositionOrLimit() {
        ByteBuffer f = ByteBuffer.allocate(64);
        f.put(0, bytes(MASK_COMMON + "00 01 00 01 | 00 01 001122334455"));
        f.position(40).limit(50);
        MacMask.subcommand(f);
        MacMask.maskError(f);
        MacMask.directiveCount(f);
        MacMask.directivesFit(f);
        assertEquals(0x001122334455L, MacMask.directiveMac(f, 0));
        MacMask.directiveCommand(f, 0);
        MacMask.putHeader(f, 0, 0, 1);
        MacMask.putDirective(f, 0, 1, 2);
        assertEquals(40, f.position());
        assertEquals(50, f.limit());
    }
}
