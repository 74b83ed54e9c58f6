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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AtaTest {

    /** Common header + ATA header: aflags, feature, count, cmd, lba0..lba5, reserved(2). */
    private static ByteBuffer ata(String ataHeader) {
        return frame(Hex.COMMON + ataHeader);
    }

    @Test
    void constants() {
        assertEquals(36, Ata.HEADER);
        assertEquals(36, Ata.DATA);
        assertEquals(512, Ata.SECTOR);
        assertEquals(0x40, Ata.AFLAG_EXTENDED);
        assertEquals(0x10, Ata.AFLAG_DEVICE);
        assertEquals(0x02, Ata.AFLAG_ASYNC);
        assertEquals(0x01, Ata.AFLAG_WRITE);
        assertEquals(0x20, Ata.CMD_READ);
        assertEquals(0x24, Ata.CMD_READ_EXT);
        assertEquals(0x30, Ata.CMD_WRITE);
        assertEquals(0x34, Ata.CMD_WRITE_EXT);
        assertEquals(0xE5, Ata.CMD_CHECK_POWER_MODE);
        assertEquals(0xE7, Ata.CMD_FLUSH);
        assertEquals(0xEA, Ata.CMD_FLUSH_EXT);
        assertEquals(0xEC, Ata.CMD_IDENTIFY);
        assertEquals(0x01, Ata.STATUS_ERR);
        assertEquals(0x08, Ata.STATUS_DRQ);
        assertEquals(0x20, Ata.STATUS_DF);
        assertEquals(0x40, Ata.STATUS_DRDY);
        assertEquals(0x80, Ata.STATUS_BSY);
        assertEquals(0x04, Ata.ERROR_ABRT);
        assertEquals(0x10, Ata.ERROR_IDNF);
        assertEquals(0x40, Ata.ERROR_UNC);
        assertEquals(0x0fffffffL, Ata.LBA28_MASK);
        assertEquals(0xffffffffffffL, Ata.LBA48_MASK);
    }

    @Test
    void readsEveryAtaHeaderField() {
        // aflags=0x53 (E|D|A|W), feature=0x9a, count=0x02, cmd=0x34, lba 0x060504030201 (LE), reserved
        ByteBuffer f = ata("53 | 9a | 02 | 34 | 01 02 03 04 05 06 | 0000");
        assertEquals(0x53, Ata.aflags(f));
        assertEquals(0x9a, Ata.feature(f));
        assertEquals(0x9a, Ata.errorReg(f));
        assertEquals(2, Ata.sectorCount(f));
        assertEquals(0x34, Ata.command(f));
        assertEquals(0x34, Ata.status(f));
        assertEquals(0x060504030201L, Ata.rawLba(f));
        assertTrue(Ata.isExtended(f));
        assertEquals(0x060504030201L, Ata.lba(f));
    }

    @Test
    void readersAreUnsigned() {
        ByteBuffer f = ata("ff | ff | ff | ff | ff ff ff ff ff ff | ffff");
        assertEquals(0xff, Ata.aflags(f));
        assertEquals(0xff, Ata.feature(f));
        assertEquals(0xff, Ata.errorReg(f));
        assertEquals(0xff, Ata.sectorCount(f));
        assertEquals(0xff, Ata.command(f));
        assertEquals(0xff, Ata.status(f));
        assertEquals(0xffffffffffffL, Ata.rawLba(f));
        assertEquals(0xffffffffffffL, Ata.lba(f)); // aflags has E
    }

    @ParameterizedTest
    @CsvSource({
            // lba0..lba5 as sent, raw value
            "000000000000, 0",
            "010000000000, 1",
            "000100000000, 256",
            "000001000000, 65536",
            "000000010000, 16777216",
            "000000000100, 4294967296",
            "000000000001, 1099511627776",
            "ff0000000000, 255",
            "0000000000ff, 280375465082880",
            "785634120000, 305419896",
            "80808080 8080, 141289400074368",
    })
    void rawLbaIsLittleEndianBytes28To33(String lbaBytes, long expected) {
        ByteBuffer f = ata("40 00 01 24 " + lbaBytes + " 0000");
        assertEquals(expected, Ata.rawLba(f));
        assertEquals(expected, Ata.lba(f));
    }

    @Test
    void reservedBytesAndDataAreNotPartOfLba() {
        ByteBuffer f = ata("40 00 01 24 | 00 00 00 00 00 00 | ffff | ffffffff");
        assertEquals(0, Ata.rawLba(f));
    }

    // ---------------------------------------------------------------- LBA28 masking

    @Test
    void lba28MasksTheDeviceBitsTheLinuxDriverSetsInLba3() {
        // READ (0x20), no E flag, lba 0x00abcdef with lba3 = 0xE0 | 0x0 (LBA mode + obsolete bits)
        ByteBuffer f = ata("00 00 02 20 | ef cd ab e0 00 00 | 0000");
        assertEquals(0xe0abcdefL, Ata.rawLba(f));
        assertFalse(Ata.isExtended(f));
        assertEquals(0x00abcdefL, Ata.lba(f));
    }

    @Test
    void lba28KeepsTheLowNibbleOfLba3() {
        ByteBuffer f = ata("00 00 01 30 | 01 02 03 e5 00 00 | 0000");
        assertEquals(0x05030201L, Ata.lba(f));
    }

    @Test
    void lba28IgnoresLba4AndLba5() {
        ByteBuffer f = ata("01 00 01 30 | ff ff ff ff ff ff | 0000");
        assertEquals(0x0fffffffL, Ata.lba(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x20, 0x30, 0xec, 0xe7, 0xea, 0xe5, 0x00, 0x25, 0x35, 0xc8})
    void withoutEFlagOrExtOpcodeLbaIs28Bits(int cmd) {
        ByteBuffer f = ata("00 00 01 00 | 44 33 22 f1 66 55 | 0000");
        f.put(27, (byte) cmd);
        assertFalse(Ata.isExtended(f));
        assertEquals(0x01223344L, Ata.lba(f));
        assertEquals(0x5566f1223344L, Ata.rawLba(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x24, 0x34})
    void extOpcodesMean48BitsEvenWithoutEFlag(int cmd) {
        ByteBuffer f = ata("00 00 01 00 | 44 33 22 f1 66 55 | 0000");
        f.put(27, (byte) cmd);
        assertTrue(Ata.isExtended(f));
        assertEquals(0x5566f1223344L, Ata.lba(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x41, 0x43, 0x53, 0xff, 0x7f})
    void eFlagMeans48Bits(int aflags) {
        ByteBuffer f = ata("00 00 01 20 | 44 33 22 f1 66 55 | 0000");
        f.put(24, (byte) aflags);
        assertTrue(Ata.isExtended(f));
        assertEquals(0x5566f1223344L, Ata.lba(f));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x02, 0x10, 0x13, 0x80, 0xbf})
    void otherAflagsDoNotMakeItExtended(int aflags) {
        ByteBuffer f = ata("00 00 01 20 | 44 33 22 f1 66 55 | 0000");
        f.put(24, (byte) aflags);
        assertFalse(Ata.isExtended(f));
        assertEquals(0x01223344L, Ata.lba(f));
    }

    // ---------------------------------------------------------------- writers

    @Test
    void putHeaderWritesHandBuiltLayout() {
        ByteBuffer f = ByteBuffer.wrap(bytes(Hex.COMMON + "ff".repeat(12) + "a5a5"));
        Ata.putHeader(f, 0x41, 0x00, 2, 0x34, 0x0000_1234_5678_9abcL);
        assertArrayEquals(bytes(Hex.COMMON + "41 00 02 34 | bc 9a 78 56 34 12 | 0000 | a5a5"), contents(f));
    }

    @Test
    void putHeaderMasksLbaTo48Bits() {
        ByteBuffer f = ByteBuffer.wrap(bytes(Hex.COMMON + "00".repeat(14)));
        Ata.putHeader(f, 0, 0, 0, 0, 0xffff_0102_0304_0506L);
        assertArrayEquals(bytes("06 05 04 03 02 01 | 0000"), range(f, 28, 36));
    }

    @Test
    void setLbaWritesLittleEndianAndNothingElse() {
        ByteBuffer f = ByteBuffer.wrap(bytes(Hex.COMMON + "11 22 33 44 | 00 00 00 00 00 00 | 7777 | 88"));
        Ata.setLba(f, 0x0a0b0c0d0e0fL);
        assertArrayEquals(bytes(Hex.COMMON + "11 22 33 44 | 0f 0e 0d 0c 0b 0a | 7777 | 88"), contents(f));
    }

    @Test
    void individualSetters() {
        ByteBuffer f = ByteBuffer.wrap(bytes(Hex.COMMON + "00".repeat(12)));
        Ata.setAflags(f, 0x53);
        Ata.setFeature(f, 0x11);
        Ata.setSectorCount(f, 0xff);
        Ata.setCommand(f, 0xec);
        assertArrayEquals(bytes("53 11 ff ec"), range(f, 24, 28));
        Ata.setErrorReg(f, Ata.ERROR_IDNF | Ata.ERROR_ABRT);
        Ata.setStatus(f, Ata.STATUS_DRDY | Ata.STATUS_ERR);
        assertArrayEquals(bytes("53 14 ff 41"), range(f, 24, 28));
        assertArrayEquals(bytes(Hex.COMMON), range(f, 0, 24));
    }

    @Test
    void settersTruncateToOneByte() {
        ByteBuffer f = ByteBuffer.wrap(bytes(Hex.COMMON + "00".repeat(12)));
        Ata.setSectorCount(f, 0x100);
        Ata.setStatus(f, 0x150);
        assertEquals(0, Ata.sectorCount(f));
        assertEquals(0x50, Ata.status(f));
        assertArrayEquals(bytes("00 00 00 50 000000000000 0000"), range(f, 24, 36));
    }

    @Test
    void writeThenReadLba28And48() {
        ByteBuffer f = ByteBuffer.wrap(bytes(Hex.COMMON + "00".repeat(12)));
        Ata.putHeader(f, 0, 0, 1, Ata.CMD_READ, 0xe0abcdefL);
        assertEquals(0x00abcdefL, Ata.lba(f));
        Ata.putHeader(f, Ata.AFLAG_EXTENDED, 0, 1, Ata.CMD_READ_EXT, 0xfedcba987654L);
        assertEquals(0xfedcba987654L, Ata.lba(f));
    }

    // ---------------------------------------------------------------- sizes

    @ParameterizedTest
    @CsvSource({
            "0, 0", "1, 0", "35, 0", "36, 0", "37, 1", "60, 24", "548, 512", "1060, 1024", "1514, 1478",
            "-5, 0",
    })
    void dataLength(int frameLength, int expected) {
        assertEquals(expected, Ata.dataLength(frameLength));
    }

    @ParameterizedTest
    @CsvSource({
            "1500, 2",
            "9000, 17",
            // (MTU - 36) / 512, as the Linux driver computes it
            "548, 1",
            "547, 0",
            "1059, 1",
            "1060, 2",
            "1024, 1",
            "1572, 3",
            "4132, 8",
            "9216, 17",
            "130596, 255",
            "130595, 254",
            "131072, 255",
            "65535, 127",
            "2147483647, 255",
            "36, 0",
            "35, 0",
            "0, 0",
            "-1, 0",
            "-600, 0",
            "-100000, 0",
            "-2147483648, 0",
    })
    void maxSectors(int mtu, int expected) {
        assertEquals(expected, Ata.maxSectors(mtu));
    }

    @Test
    void maxSectorsFrameFitsTheMtu() {
        for (int mtu = 0; mtu <= 140000; mtu += 7) {
            int n = Ata.maxSectors(mtu);
            assertTrue(n >= 0 && n <= 255);
            if (n > 0) {
                // AoE common header (10) + ATA header (12) + data within the Ethernet payload
                assertTrue(10 + 12 + n * 512 <= mtu, "mtu " + mtu);
            }
        }
    }

    // ---------------------------------------------------------------- position / limit

    @Test
    void accessorsNeverMovePositionOrLimit() {
        ByteBuffer f = ByteBuffer.allocate(100);
        f.put(0, bytes(Hex.COMMON + "40 00 02 24 010203040506 0000"));
        f.position(31).limit(77);
        Ata.aflags(f);
        Ata.feature(f);
        Ata.errorReg(f);
        Ata.sectorCount(f);
        Ata.command(f);
        Ata.status(f);
        Ata.rawLba(f);
        Ata.isExtended(f);
        Ata.lba(f);
        Ata.setAflags(f, 1);
        Ata.setFeature(f, 1);
        Ata.setErrorReg(f, 1);
        Ata.setSectorCount(f, 1);
        Ata.setCommand(f, 1);
        Ata.setStatus(f, 1);
        Ata.setLba(f, 1);
        Ata.putHeader(f, 1, 2, 3, 4, 5);
        assertEquals(31, f.position());
        assertEquals(77, f.limit());
    }

    @Test
    void readersWorkOnBufferWithPositionPastHeader() {
        ByteBuffer f = ata("00 00 01 20 | 01 00 00 e0 00 00 | 0000");
        f.position(36);
        assertEquals(1, Ata.lba(f));
        assertEquals(36, f.position());
    }
}
