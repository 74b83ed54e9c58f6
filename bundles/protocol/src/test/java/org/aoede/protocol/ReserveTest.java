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

class ReserveTest {

    private static final String RES_COMMON =
            "0a0000000009 | 020000000002 | 88a2 | 10 | 00 | 0001 | 02 | 03 | 00000009";

    private static ByteBuffer declaring(int count, int frameLength) {
        byte[] b = new byte[Math.max(frameLength, 26)];
        System.arraycopy(bytes(RES_COMMON + "01"), 0, b, 0, 25);
        b[25] = (byte) count;
        return ByteBuffer.wrap(b).limit(frameLength);
    }

    @Test
    void constants() {
        assertEquals(26, Reserve.HEADER);
        assertEquals(0, Reserve.READ);
        assertEquals(1, Reserve.SET);
        assertEquals(2, Reserve.FORCE_SET);
    }

    @Test
    void readsHeaderAndMacs() {
        ByteBuffer f = frame(RES_COMMON + "01 | 03 | 001122aabbcc | ffffffffffff | 800000000001");
        assertEquals(1, Reserve.subcommand(f));
        assertEquals(3, Reserve.count(f));
        assertTrue(Reserve.macsFit(f));
        assertEquals(0x001122aabbccL, Reserve.mac(f, 0));
        assertEquals(Mac.BROADCAST, Reserve.mac(f, 1));
        assertEquals(0x800000000001L, Reserve.mac(f, 2));
    }

    @Test
    void readersAreUnsigned() {
        ByteBuffer f = frame(RES_COMMON + "ff | ff");
        assertEquals(0xff, Reserve.subcommand(f));
        assertEquals(255, Reserve.count(f));
        assertFalse(Reserve.macsFit(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 5, 6, 100, 248, 255})
    void macsFitExactly(int count) {
        int needed = 26 + 6 * count;
        assertTrue(Reserve.macsFit(declaring(count, needed)));
        assertTrue(Reserve.macsFit(declaring(count, needed + 5)));
        if (count > 0) {
            assertFalse(Reserve.macsFit(declaring(count, needed - 1)));
            assertFalse(Reserve.macsFit(declaring(count, 26)));
        }
    }

    @Test
    void countsThatOverrunTheFrame() {
        // minimum frame: (60 - 26) / 6 = 5 MACs
        assertTrue(Reserve.macsFit(declaring(5, 60)));
        assertFalse(Reserve.macsFit(declaring(6, 60)));
        // 1514: (1514 - 26) / 6 = 248 MACs
        assertTrue(Reserve.macsFit(declaring(248, 1514)));
        assertFalse(Reserve.macsFit(declaring(249, 1514)));
        assertFalse(Reserve.macsFit(declaring(255, 1514)));
        ByteBuffer f = declaring(2, 100);
        f.limit(37);
        assertFalse(Reserve.macsFit(f));
        f.limit(38);
        assertTrue(Reserve.macsFit(f));
    }

    @Test
    void macsFitIsFalseAtEveryTruncationBelowTheHeader() {
        byte[] full = bytes(RES_COMMON + "00 00");
        for (int n = 0; n < 26; n++) {
            assertFalse(Reserve.macsFit(ByteBuffer.wrap(Arrays.copyOf(full, n))), "length " + n);
            assertFalse(Reserve.macsFit(ByteBuffer.wrap(full.clone()).limit(n)), "limit " + n);
        }
        assertTrue(Reserve.macsFit(ByteBuffer.wrap(full)));
    }

    @Test
    void macsFitAtEveryTruncationFrom0To36() {
        byte[] full = bytes(RES_COMMON + "01 01 | 001122334455 | 0000 0000");
        for (int n = 0; n <= 36; n++) {
            assertEquals(n >= 32, Reserve.macsFit(ByteBuffer.wrap(Arrays.copyOf(full, n))), "length " + n);
            assertEquals(n >= 32, Reserve.macsFit(ByteBuffer.wrap(full.clone()).limit(n)), "limit " + n);
        }
    }

    @Test
    void putWritesHandBuiltLayoutAndReturnsLength() {
        ByteBuffer f = ByteBuffer.wrap(bytes(RES_COMMON + "ff".repeat(14) + "ee"));
        int n = Reserve.put(f, Reserve.SET, new long[] {0x001122aabbccL, 0x020000000002L});
        assertEquals(38, n);
        assertArrayEquals(bytes(RES_COMMON + "01 | 02 | 001122aabbcc | 020000000002 | ee"), contents(f));
    }

    @Test
    void putEmptyList() {
        ByteBuffer f = ByteBuffer.wrap(bytes(RES_COMMON + "ff ff ee"));
        assertEquals(26, Reserve.put(f, Reserve.READ, new long[0]));
        assertArrayEquals(bytes(RES_COMMON + "00 00 ee"), contents(f));
    }

    @Test
    void accessorsNeverMovePositionOrLimit() {
        ByteBuffer f = ByteBuffer.allocate(64);
        f.put(0, bytes(RES_COMMON + "02 01 0a0b0c0d0e0f"));
        f.position(33).limit(40);
        assertEquals(2, Reserve.subcommand(f));
        assertEquals(1, Reserve.count(f));
        assertTrue(Reserve.macsFit(f));
        assertEquals(0x0a0b0c0d0e0fL, Reserve.mac(f, 0));
        Reserve.put(f, Reserve.FORCE_SET, new long[] {1L});
        assertEquals(33, f.position());
        assertEquals(40, f.limit());
        assertArrayEquals(bytes("02 01 000000000001"), range(f, 24, 32));
    }
}
