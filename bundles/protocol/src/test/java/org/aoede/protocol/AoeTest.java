package org.aoede.protocol;

import static org.aoede.protocol.Hex.bytes;
import static org.aoede.protocol.Hex.contents;
import static org.aoede.protocol.Hex.frame;
import static org.aoede.protocol.Hex.range;
import static org.aoede.protocol.Hex.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AoeTest {

    @Test
    void constantsMatchSpecification() {
        assertEquals(0x88A2, Aoe.ETHERTYPE);
        assertEquals(14, Aoe.ETH_HEADER);
        assertEquals(24, Aoe.HEADER);
        assertEquals(60, Aoe.MIN_FRAME);
        assertEquals(1, Aoe.VERSION);
        assertEquals(0x8, Aoe.FLAG_RESPONSE);
        assertEquals(0x4, Aoe.FLAG_ERROR);
        assertEquals(0, Aoe.CMD_ATA);
        assertEquals(1, Aoe.CMD_CONFIG);
        assertEquals(2, Aoe.CMD_MASK);
        assertEquals(3, Aoe.CMD_RESERVE);
        assertEquals(1, Aoe.ERR_BAD_COMMAND);
        assertEquals(2, Aoe.ERR_BAD_ARGUMENT);
        assertEquals(3, Aoe.ERR_DEVICE_UNAVAILABLE);
        assertEquals(4, Aoe.ERR_CONFIG_PRESENT);
        assertEquals(5, Aoe.ERR_BAD_VERSION);
        assertEquals(6, Aoe.ERR_RESERVED);
        assertEquals(0xffff, Aoe.BROADCAST_SHELF);
        assertEquals(0xff, Aoe.BROADCAST_SLOT);
        assertEquals(0x80000000, Aoe.TAG_USERLAND);
    }

    // ---------------------------------------------------------------- readers

    @Test
    void readsEveryCommonHeaderField() {
        ByteBuffer f = frame("00112233aabb | 0a0b0c0d0e0f | 88a2 | 1c | 05 | 1234 | 56 | 02 | deadbeef");
        assertTrue(Aoe.isAoe(f));
        assertEquals(0x00112233aabbL, Aoe.dst(f));
        assertEquals(0x0a0b0c0d0e0fL, Aoe.src(f));
        assertEquals(0x88a2, Aoe.etherType(f));
        assertEquals(1, Aoe.version(f));
        assertEquals(0xc, Aoe.flags(f));
        assertTrue(Aoe.isResponse(f));
        assertTrue(Aoe.isError(f));
        assertEquals(5, Aoe.error(f));
        assertEquals(0x1234, Aoe.shelf(f));
        assertEquals(0x56, Aoe.slot(f));
        assertEquals(2, Aoe.command(f));
        assertEquals(0xdeadbeef, Aoe.tag(f));
    }

    @Test
    void readersAreUnsigned() {
        ByteBuffer f = frame("ffffffffffff | fffffffffffe | ffff | ff | ff | ffff | ff | ff | ffffffff");
        assertEquals(0xffffffffffffL, Aoe.dst(f));
        assertEquals(0xfffffffffffeL, Aoe.src(f));
        assertEquals(0xffff, Aoe.etherType(f));
        assertEquals(0xf, Aoe.version(f));
        assertEquals(0xf, Aoe.flags(f));
        assertEquals(0xff, Aoe.error(f));
        assertEquals(0xffff, Aoe.shelf(f));
        assertEquals(0xff, Aoe.slot(f));
        assertEquals(0xff, Aoe.command(f));
        assertEquals(-1, Aoe.tag(f));
    }

    @Test
    void readsHighBitFieldsUnsigned() {
        ByteBuffer f = frame("800000000000 | 800000000001 | 88a2 | 10 | 80 | 8000 | 80 | 80 | 80000000");
        assertEquals(0x800000000000L, Aoe.dst(f));
        assertEquals(0x800000000001L, Aoe.src(f));
        assertEquals(0x80, Aoe.error(f));
        assertEquals(0x8000, Aoe.shelf(f));
        assertEquals(0x80, Aoe.slot(f));
        assertEquals(0x80, Aoe.command(f));
        assertEquals(Aoe.TAG_USERLAND, Aoe.tag(f));
    }

    @ParameterizedTest
    @CsvSource({
            // byte 14, version, flags, response, error
            "10, 1, 0, false, false",
            "18, 1, 8, true,  false",
            "14, 1, 4, false, true",
            "1c, 1, 12, true,  true",
            "13, 1, 3, false, false",
            "00, 0, 0, false, false",
            "20, 2, 0, false, false",
            "f8, 15, 8, true, false",
            "0f, 0, 15, true, true",
    })
    void versionAndFlagsNibbles(String b14, int version, int flags, boolean response, boolean error) {
        ByteBuffer f = frame(Hex.COMMON);
        f.put(14, (byte) Integer.parseInt(b14, 16));
        assertEquals(version, Aoe.version(f));
        assertEquals(flags, Aoe.flags(f));
        assertEquals(response, Aoe.isResponse(f));
        assertEquals(error, Aoe.isError(f));
    }

    @Test
    void shelfIsBigEndian() {
        ByteBuffer f = frame(Hex.COMMON);
        f.put(16, (byte) 0x01).put(17, (byte) 0x02);
        assertEquals(0x0102, Aoe.shelf(f));
    }

    @Test
    void tagIsBigEndian() {
        ByteBuffer f = frame(Hex.COMMON);
        f.put(20, (byte) 1).put(21, (byte) 2).put(22, (byte) 3).put(23, (byte) 4);
        assertEquals(0x01020304, Aoe.tag(f));
    }

    @Test
    void readersIgnoreTrailingBytes() {
        ByteBuffer f = ByteBuffer.allocate(1514);
        f.put(0, bytes(Hex.COMMON));
        for (int i = 24; i < 1514; i++) {
            f.put(i, (byte) 0xa5);
        }
        assertTrue(Aoe.isAoe(f));
        assertEquals(0x1234, Aoe.shelf(f));
        assertEquals(0xdeadbeef, Aoe.tag(f));
    }

    // ---------------------------------------------------------------- isAoe

    @Test
    void isAoeAcceptsExactlyTheCommonHeader() {
        assertTrue(Aoe.isAoe(frame(Hex.COMMON)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 5, 6, 11, 12, 13, 14, 15, 16, 19, 20, 22, 23})
    void isAoeIsFalseOnFramesShorterThan24(int length) {
        ByteBuffer f = ByteBuffer.wrap(bytes(Hex.COMMON), 0, 24);
        f.limit(length);
        assertFalse(Aoe.isAoe(f));
    }

    @Test
    void isAoeIsFalseAtEveryTruncationBelow24AndTrueFrom24To36() {
        byte[] full = new byte[36];
        System.arraycopy(bytes(Hex.COMMON), 0, full, 0, 24);
        for (int n = 0; n <= 36; n++) {
            ByteBuffer exact = ByteBuffer.wrap(java.util.Arrays.copyOf(full, n));
            ByteBuffer limited = ByteBuffer.wrap(full.clone()).limit(n);
            assertEquals(n >= 24, Aoe.isAoe(exact), "array length " + n);
            assertEquals(n >= 24, Aoe.isAoe(limited), "limit " + n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0800", "86dd", "0806", "a288", "88a3", "88a1", "0000", "ffff", "8100"})
    void isAoeIsFalseForOtherEtherTypes(String type) {
        ByteBuffer f = frame(Hex.COMMON);
        byte[] t = bytes(type);
        f.put(12, t[0]).put(13, t[1]);
        assertFalse(Aoe.isAoe(f));
    }

    @Test
    void isAoeDoesNotLookAtVersion() {
        // Version checks belong to the caller (it must answer ERR_BAD_VERSION).
        ByteBuffer f = frame(Hex.COMMON);
        f.put(14, (byte) 0x20);
        assertTrue(Aoe.isAoe(f));
    }

    @Test
    void isAoeEmptyBuffer() {
        assertFalse(Aoe.isAoe(ByteBuffer.allocate(0)));
    }

    // ---------------------------------------------------------------- writers

    @Test
    void putHeaderWritesHandBuiltLayout() {
        ByteBuffer f = zeros(24);
        Aoe.putHeader(f, 0x00112233aabbL, 0x0a0b0c0d0e0fL, Aoe.FLAG_RESPONSE, 3, 0x1234, 0x56, Aoe.CMD_CONFIG,
                0xdeadbeef);
        assertArrayEquals(bytes("00112233aabb | 0a0b0c0d0e0f | 88a2 | 18 | 03 | 1234 | 56 | 01 | deadbeef"),
                contents(f));
    }

    @Test
    void putHeaderOverwritesGarbage() {
        ByteBuffer f = ByteBuffer.wrap(bytes("ff".repeat(30)));
        Aoe.putHeader(f, 0, 0, 0, 0, 0, 0, 0, 0);
        assertArrayEquals(bytes("000000000000 000000000000 88a2 10 00 0000 00 00 00000000 ffffffffffff"),
                contents(f));
    }

    @Test
    void putHeaderBroadcastAndMaxima() {
        ByteBuffer f = zeros(24);
        Aoe.putHeader(f, Mac.BROADCAST, 0x020000000002L, 0xf, 0xff, 0xffff, 0xff, 0xff, -1);
        assertArrayEquals(bytes("ffffffffffff | 020000000002 | 88a2 | 1f | ff | ffff | ff | ff | ffffffff"),
                contents(f));
    }

    @Test
    void setFlagsAlwaysWritesVersionOneAndMasksFlags() {
        ByteBuffer f = frame(Hex.COMMON);
        f.put(14, (byte) 0xff);
        Aoe.setFlags(f, Aoe.FLAG_RESPONSE);
        assertEquals(0x18, f.get(14));
        Aoe.setFlags(f, Aoe.FLAG_RESPONSE | Aoe.FLAG_ERROR);
        assertEquals(0x1c, f.get(14));
        Aoe.setFlags(f, 0);
        assertEquals(0x10, f.get(14));
        Aoe.setFlags(f, 0xf4); // high bits of the argument must not leak into the version nibble
        assertEquals(0x14, f.get(14));
    }

    @Test
    void individualSettersWriteOnlyTheirBytes() {
        checkSetter(f -> Aoe.setDst(f, 0xa1a2a3a4a5a6L), 0, "a1a2a3a4a5a6");
        checkSetter(f -> Aoe.setSrc(f, 0xb1b2b3b4b5b6L), 6, "b1b2b3b4b5b6");
        checkSetter(f -> Aoe.setError(f, 0xc1), 15, "c1");
        checkSetter(f -> Aoe.setShelf(f, 0xd1d2), 16, "d1d2");
        checkSetter(f -> Aoe.setSlot(f, 0xe1), 18, "e1");
        checkSetter(f -> Aoe.setCommand(f, 0xf1), 19, "f1");
        checkSetter(f -> Aoe.setTag(f, 0x91929394), 20, "91929394");
        checkSetter(f -> Aoe.setFlags(f, 0x5), 14, "15");
    }

    @Test
    void settersTruncateToFieldWidth() {
        ByteBuffer f = zeros(24);
        Aoe.setShelf(f, 0x12345);
        Aoe.setSlot(f, 0x1ab);
        Aoe.setCommand(f, 0x103);
        Aoe.setError(f, 0x106);
        Aoe.setDst(f, 0xffff_0011_2233_4455L);
        assertEquals(0x2345, Aoe.shelf(f));
        assertEquals(0xab, Aoe.slot(f));
        assertEquals(3, Aoe.command(f));
        assertEquals(6, Aoe.error(f));
        assertEquals(0x001122334455L, Aoe.dst(f));
    }

    private static void checkSetter(Consumer<ByteBuffer> setter, int offset, String expectedHex) {
        byte[] before = new byte[40];
        for (int i = 0; i < before.length; i++) {
            before[i] = (byte) (0x40 + i);
        }
        ByteBuffer f = ByteBuffer.wrap(before.clone());
        f.position(3).limit(40);
        setter.accept(f);
        assertEquals(3, f.position());
        assertEquals(40, f.limit());
        byte[] expected = before.clone();
        byte[] field = bytes(expectedHex);
        System.arraycopy(field, 0, expected, offset, field.length);
        assertArrayEquals(expected, contents(f));
    }

    // ---------------------------------------------------------------- responses

    @Test
    void toResponseSwapsAddressesSetsRKeepsTag() {
        // A broadcast query from 02:..:02 to ff:..:ff; the reply copy starts as the request.
        ByteBuffer f = frame("ffffffffffff | 020000000002 | 88a2 | 10 | 00 | ffff | ff | 01 | 80000001 | 0000000000000000");
        Aoe.toResponse(f, 0x0a0000000009L);
        assertArrayEquals(
                bytes("020000000002 | 0a0000000009 | 88a2 | 18 | 00 | ffff | ff | 01 | 80000001 | 0000000000000000"),
                contents(f));
    }

    @Test
    void toResponseClearsErrorAndStaleFlagsAndFixesVersion() {
        ByteBuffer f = frame("0a0000000009 | 020000000002 | 88a2 | 27 | 05 | 0001 | 02 | 00 | 12345678");
        Aoe.toResponse(f, 0x0a0000000009L);
        assertArrayEquals(bytes("020000000002 | 0a0000000009 | 88a2 | 18 | 00 | 0001 | 02 | 00 | 12345678"),
                contents(f));
        assertTrue(Aoe.isResponse(f));
        assertFalse(Aoe.isError(f));
        assertEquals(1, Aoe.version(f));
    }

    @Test
    void toResponseKeepsEveryTagBit() {
        for (int tag : new int[] {0, 1, -1, 0x7fffffff, 0x80000000, 0xdeadbeef}) {
            ByteBuffer f = frame(Hex.COMMON);
            f.putInt(20, tag);
            Aoe.toResponse(f, 1L);
            assertEquals(tag, f.getInt(20));
        }
    }

    @Test
    void toResponseDoesNotMovePositionOrLimit() {
        ByteBuffer f = ByteBuffer.allocate(100);
        f.put(0, bytes(Hex.COMMON));
        f.position(7).limit(50);
        Aoe.toResponse(f, 5L);
        assertEquals(7, f.position());
        assertEquals(50, f.limit());
    }

    @Test
    void toErrorSetsResponseAndErrorFlagsAndCode() {
        ByteBuffer f = frame("020000000002 | 0a0000000009 | 88a2 | 18 | 00 | 0001 | 02 | 00 | 12345678");
        Aoe.toError(f, Aoe.ERR_BAD_ARGUMENT);
        assertArrayEquals(bytes("020000000002 | 0a0000000009 | 88a2 | 1c | 02 | 0001 | 02 | 00 | 12345678"),
                contents(f));
    }

    @Test
    void toErrorAfterToResponseOnRequest() {
        ByteBuffer f = frame(Hex.COMMON);
        Aoe.toResponse(f, 0x0a0000000009L);
        Aoe.toError(f, Aoe.ERR_BAD_VERSION);
        assertArrayEquals(bytes("020000000002 | 0a0000000009 | 88a2 | 1c | 05 | 1234 | 56 | 00 | deadbeef"),
                contents(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 0xff})
    void toErrorEveryCode(int code) {
        ByteBuffer f = frame(Hex.COMMON);
        Aoe.toError(f, code);
        assertEquals(0x1c, f.get(14) & 0xff);
        assertEquals(code, f.get(15) & 0xff);
        assertEquals(0xdeadbeef, f.getInt(20));
    }

    // ---------------------------------------------------------------- finish

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 24, 36, 59})
    void finishPadsShortFramesWithZeroesTo60(int length) {
        ByteBuffer f = ByteBuffer.allocate(100);
        for (int i = 0; i < 100; i++) {
            f.put(i, (byte) 0xee);
        }
        f.position(13);
        Aoe.finish(f, length);
        assertEquals(60, f.limit());
        assertEquals(0, f.position());
        for (int i = 0; i < length; i++) {
            assertEquals((byte) 0xee, f.get(i), "payload byte " + i + " must be kept");
        }
        for (int i = length; i < 60; i++) {
            assertEquals(0, f.get(i), "pad byte " + i);
        }
        assertEquals((byte) 0xee, f.array()[60], "nothing written past the minimum frame");
    }

    @Test
    void finishPadsEvenWhenTheLimitWasAtTheShortLength() {
        // A reply built in a buffer whose limit is the (short) request length.
        ByteBuffer f = ByteBuffer.allocate(1514);
        for (int i = 0; i < 1514; i++) {
            f.put(i, (byte) 0xee);
        }
        f.limit(36);
        Aoe.finish(f, 36);
        assertEquals(60, f.limit());
        assertEquals(0, f.position());
        for (int i = 36; i < 60; i++) {
            assertEquals(0, f.get(i), "pad byte " + i);
        }
    }

    @Test
    void finishPadsAnExactly60ByteBuffer() {
        ByteBuffer f = ByteBuffer.wrap(bytes("ab".repeat(60)));
        Aoe.finish(f, 24);
        assertArrayEquals(bytes("ab".repeat(24) + "00".repeat(36)), contents(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {60, 61, 100, 1060, 1514})
    void finishLeavesLongerFramesAlone(int length) {
        ByteBuffer f = ByteBuffer.allocate(9014);
        for (int i = 0; i < f.capacity(); i++) {
            f.put(i, (byte) 0x5a);
        }
        f.position(5);
        Aoe.finish(f, length);
        assertEquals(length, f.limit());
        assertEquals(0, f.position());
        for (int i = 0; i < length; i++) {
            assertEquals((byte) 0x5a, f.get(i));
        }
    }

    @Test
    void finishTooSmallBufferThrows() {
        assertThrows(RuntimeException.class, () -> Aoe.finish(ByteBuffer.allocate(40), 30));
    }

    // ---------------------------------------------------------------- addressing

    @ParameterizedTest
    @CsvSource({
            // shelf, slot, myShelf, mySlot, expected
            "1, 2, 1, 2, true",
            "1, 3, 1, 2, false",
            "2, 2, 1, 2, false",
            "65535, 2, 1, 2, true",
            "1, 255, 1, 2, true",
            "65535, 255, 1, 2, true",
            "65535, 3, 1, 2, false",
            "2, 255, 1, 2, false",
            "0, 0, 0, 0, true",
            "65535, 255, 0, 0, true",
            "65534, 254, 65534, 254, true",
            "65534, 255, 65534, 254, true",
            "65535, 254, 65534, 254, true",
            "65534, 254, 65534, 253, false",
    })
    void addressedTo(int shelf, int slot, int myShelf, int mySlot, boolean expected) {
        assertEquals(expected, Aoe.addressedTo(shelf, slot, myShelf, mySlot));
    }

    @ParameterizedTest
    @CsvSource({
            "65535, 255, true",
            "65535, 0, true",
            "0, 255, true",
            "0, 0, false",
            "65534, 254, false",
            "1, 2, false",
    })
    void isBroadcastAddress(int shelf, int slot, boolean expected) {
        assertEquals(expected, Aoe.isBroadcastAddress(shelf, slot));
    }

    @Test
    void addressedToUsesValuesAsReadFromTheFrame() {
        ByteBuffer f = frame("ffffffffffff | 020000000002 | 88a2 | 10 | 00 | ffff | ff | 01 | 00000000");
        assertTrue(Aoe.addressedTo(Aoe.shelf(f), Aoe.slot(f), 7, 9));
        assertTrue(Aoe.isBroadcastAddress(Aoe.shelf(f), Aoe.slot(f)));
    }

    // ---------------------------------------------------------------- position / limit

    @Test
    void readersNeverMovePositionOrLimit() {
        ByteBuffer f = ByteBuffer.allocate(64);
        f.put(0, bytes(Hex.COMMON));
        f.position(17).limit(41);
        Aoe.isAoe(f);
        Aoe.dst(f);
        Aoe.src(f);
        Aoe.etherType(f);
        Aoe.version(f);
        Aoe.flags(f);
        Aoe.isResponse(f);
        Aoe.isError(f);
        Aoe.error(f);
        Aoe.shelf(f);
        Aoe.slot(f);
        Aoe.command(f);
        Aoe.tag(f);
        assertEquals(17, f.position());
        assertEquals(41, f.limit());
    }

    @Test
    void readersWorkWithPositionAtTheEnd() {
        ByteBuffer f = frame(Hex.COMMON);
        f.position(f.limit());
        assertTrue(Aoe.isAoe(f));
        assertEquals(0x1234, Aoe.shelf(f));
        assertEquals(0, f.remaining());
    }

    @Test
    void writersNeverMovePositionOrLimit() {
        ByteBuffer f = ByteBuffer.allocate(64);
        f.position(9).limit(33);
        Aoe.putHeader(f, 1, 2, 3, 4, 5, 6, 7, 8);
        Aoe.setDst(f, 1);
        Aoe.setSrc(f, 2);
        Aoe.setFlags(f, 8);
        Aoe.setError(f, 1);
        Aoe.setTag(f, 1);
        Aoe.setShelf(f, 1);
        Aoe.setSlot(f, 1);
        Aoe.setCommand(f, 1);
        Aoe.toError(f, 2);
        assertEquals(9, f.position());
        assertEquals(33, f.limit());
        assertArrayEquals(bytes("000000000001 000000000002 88a2 1c 02 0001 01 01 00000001"), range(f, 0, 24));
    }
}
