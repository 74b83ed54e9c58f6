package org.aoede.server;

import static org.aoede.server.Replies.assertAoeError;
import static org.aoede.server.Replies.assertAtaError;
import static org.aoede.server.Replies.assertAtaOk;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.aoede.api.BlockStore;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ATA command set and the README's error table, through {@link Port#onFrame}. */
class ExportAtaTest {
    static final long SECTORS = 64;

    @TempDir
    Path dir;
    Harness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new Harness(dir, 1500, SECTORS, false);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    // ---- data ----

    @Test
    void writeThenReadBack() {
        ByteBuffer w = Harness.write(11, 10, 2, (byte) 0x5a);
        assertAtaOk(w, h.send(w));
        assertEquals(1, h.store.writes.get());
        ByteBuffer r = Harness.read(12, 10, 2);
        ByteBuffer reply = h.send(r);
        assertAtaOk(r, reply);
        assertEquals(Ata.DATA + 2 * 512, reply.limit());
        for (int i = Ata.DATA; i < reply.limit(); i++) {
            assertEquals(0x5a, reply.get(i));
        }
        assertEquals(0, h.store.data[9 * 512 + 511], "sector before untouched");
        assertEquals(0, h.store.data[12 * 512], "sector after untouched");
    }

    // ---- error table: past the end → ATA IDNF, never an AoE error ----

    @Test
    void readPastEndIsAtaIdnf() {
        ByteBuffer r = Harness.read(1, SECTORS - 1, 2);
        assertAtaError(r, h.send(r), Ata.ERROR_IDNF);
    }

    @Test
    void writePastEndIsAtaIdnfAndWritesNothing() {
        ByteBuffer w = Harness.write(1, SECTORS - 1, 2, (byte) 1);
        assertAtaError(w, h.send(w), Ata.ERROR_IDNF);
        assertEquals(0, h.store.writes.get());
    }

    @Test
    void lastSectorIsReadable() {
        ByteBuffer r = Harness.read(1, SECTORS - 1, 1);
        ByteBuffer reply = h.send(r);
        assertAtaOk(r, reply);
        assertEquals(Ata.DATA + 512, reply.limit());
    }

    @Test
    void lbaAtSizeIsIdnf() {
        ByteBuffer r = Harness.read(1, SECTORS, 1);
        ByteBuffer reply = h.send(r);
        assertAtaError(r, reply, Ata.ERROR_IDNF);
        assertEquals(Aoe.MIN_FRAME, reply.limit(), "no data with an error");
    }

    @Test
    void largestLba48IsIdnf() {
        ByteBuffer r = Harness.read(1, (1L << 48) - 1, 1);
        assertAtaError(r, h.send(r), Ata.ERROR_IDNF);
        ByteBuffer w = Harness.write(2, (1L << 48) - 1, 1, (byte) 1);
        assertAtaError(w, h.send(w), Ata.ERROR_IDNF);
    }

    // ---- error table: AoE errors ----

    @Test
    void countAboveMaxSectorsIsAoeBadArgumentAtMtu1500() {
        assertEquals(2, h.port.maxSectors());
        ByteBuffer r = Harness.read(1, 0, 3);
        assertAoeError(r, h.send(r), Aoe.ERR_BAD_ARGUMENT);
        ByteBuffer ok = Harness.read(2, 0, 2);
        assertAtaOk(ok, h.send(ok));
    }

    @Test
    void countAboveMaxSectorsIsAoeBadArgumentAtMtu9000(@TempDir Path other) throws Exception {
        try (Harness jumbo = new Harness(other, 9000, SECTORS, false)) {
            assertEquals(17, jumbo.port.maxSectors());
            ByteBuffer ok = Harness.read(1, 0, 17);
            ByteBuffer reply = jumbo.send(ok);
            assertAtaOk(ok, reply);
            assertEquals(Ata.DATA + 17 * 512, reply.limit());
            ByteBuffer w = Harness.write(2, 0, 17, (byte) 3);
            assertAtaOk(w, jumbo.send(w));
            ByteBuffer bad = Harness.read(3, 0, 18);
            assertAoeError(bad, jumbo.send(bad), Aoe.ERR_BAD_ARGUMENT);
        }
    }

    @Test
    void shortWritePayloadIsAoeBadArgument() {
        ByteBuffer full = Harness.write(1, 0, 2, (byte) 7);
        ByteBuffer w = ByteBuffer.allocate(full.limit() - 1);
        w.put(0, full, 0, w.limit());
        assertAoeError(w, h.send(w), Aoe.ERR_BAD_ARGUMENT);
        assertEquals(0, h.store.writes.get());
    }

    @Test
    void countZeroSucceedsWithoutData() {
        ByteBuffer r = Harness.read(1, 5, 0);
        ByteBuffer reply = h.send(r);
        assertAtaOk(r, reply);
        assertEquals(Aoe.MIN_FRAME, reply.limit());
        ByteBuffer w = Harness.write(2, 5, 0, (byte) 0);
        assertAtaOk(w, h.send(w));
        assertEquals(0, h.store.writes.get());
    }

    @Test
    void unknownAoeCommandIsAoeBadCommand() {
        ByteBuffer f = Harness.header(Aoe.MIN_FRAME, Harness.HOST, Harness.SHELF, Harness.SLOT, 9, 77);
        assertAoeError(f, h.send(f), Aoe.ERR_BAD_COMMAND);
    }

    @Test
    void ataFrameTooShortForItsHeaderGetsNoReply() {
        ByteBuffer full = Harness.read(1, 0, 1);
        for (int len : new int[] {Aoe.HEADER, Aoe.HEADER + 4, Ata.HEADER - 1}) {
            ByteBuffer f = ByteBuffer.allocate(len);
            f.put(0, full, 0, len);
            assertNull(h.send(f), "length " + len);
        }
    }

    @Test
    void framesTooShortForTheCommonHeaderGetNoReply() {
        ByteBuffer full = Harness.read(1, 0, 1);
        for (int len : new int[] {0, 6, 13, 14, 15, 19, 20, Aoe.HEADER - 1}) {
            ByteBuffer f = ByteBuffer.allocate(len);
            f.put(0, full, 0, len);
            assertNull(h.send(f), "length " + len);
        }
    }

    @Test
    void framesWithTheResponseFlagGetNoReply() {
        ByteBuffer r = Harness.read(1, 0, 1);
        Aoe.setFlags(r, Aoe.FLAG_RESPONSE);
        assertNull(h.send(r));
        ByteBuffer e = Harness.read(2, 0, 1);
        Aoe.setFlags(e, Aoe.FLAG_RESPONSE | Aoe.FLAG_ERROR);
        assertNull(h.send(e));
    }

    @Test
    void trailingBytesAfterARequestAreAccepted() {
        ByteBuffer base = Harness.read(1, 3, 1);
        ByteBuffer padded = ByteBuffer.allocate(1514);      // the Linux driver pads READs to a full frame
        padded.put(0, base, 0, base.limit());
        ByteBuffer reply = h.send(padded);
        assertAtaOk(padded, reply);
        assertEquals(Ata.DATA + 512, reply.limit());

        ByteBuffer w = Harness.write(2, 4, 1, (byte) 9);
        ByteBuffer longer = ByteBuffer.allocate(w.limit() + 100);
        longer.put(0, w, 0, w.limit());
        assertAtaOk(longer, h.send(longer));
        assertEquals(9, h.store.data[4 * 512]);
        assertEquals(0, h.store.data[5 * 512], "trailing bytes not written");
    }

    @Test
    void unknownVersionIsAoeBadVersion() {
        ByteBuffer r = Harness.read(1, 0, 1);
        r.put(14, (byte) 0x20);
        assertAoeError(r, h.send(r), Aoe.ERR_BAD_VERSION);
    }

    // ---- addressing ----

    @Test
    void lba28RequestsAreMaskedTo28Bits() {
        // WRITE SECTORS (LBA28) as the Linux driver sends it: lba3 carries 0xE0 in its top bits.
        ByteBuffer w = Harness.ata(Harness.HOST, 1, Ata.AFLAG_WRITE, Ata.CMD_WRITE, 1, 0xE000_0005L, 512);
        Arrays.fill(w.array(), Ata.DATA, Ata.DATA + 512, (byte) 0x33);
        assertAtaOk(w, h.send(w));
        assertEquals(0x33, h.store.data[5 * 512]);
        ByteBuffer r = Harness.ata(Harness.HOST, 2, 0, Ata.CMD_READ, 1, 0xE000_0005L, 0);
        ByteBuffer reply = h.send(r);
        assertAtaOk(r, reply);
        assertEquals(0x33, reply.get(Ata.DATA));
        // Garbage in lba4/lba5 is ignored for LBA28 as well.
        ByteBuffer g = Harness.ata(Harness.HOST, 3, 0, Ata.CMD_READ, 1, 0xABCD_E000_0005L, 0);
        assertAtaOk(g, h.send(g));
    }

    @Test
    void lba48RequestsUseAll48Bits(@TempDir Path other) throws Exception {
        try (Harness big = new Harness(other, 1500, 64, false)) {
            SparseStore sparse = new SparseStore(1L << 34);
            Export e = new Export(big.export.settings, "sparse", sparse, big.stateFile, LiveState.EMPTY);
            big.port.deactivate(big.export);
            big.port.attach(e);
            big.port.activate(e);
            long lba = (1L << 33) + 0xE000_0005L;
            ByteBuffer w = Harness.ata(Harness.HOST, 1, Ata.AFLAG_EXTENDED | Ata.AFLAG_WRITE, Ata.CMD_WRITE_EXT, 1,
                    lba, 512);
            w.put(Ata.DATA, (byte) 0x44);
            assertAtaOk(w, big.send(w));
            assertTrue(sparse.sectors.containsKey(lba), "written at the full 48-bit LBA: " + sparse.sectors.keySet());
            ByteBuffer r = Harness.ata(Harness.HOST, 2, Ata.AFLAG_EXTENDED, Ata.CMD_READ_EXT, 1, lba, 0);
            ByteBuffer reply = big.send(r);
            assertAtaOk(r, reply);
            assertEquals(0x44, reply.get(Ata.DATA));
            // The same LBA28 opcode with the E flag is extended too (no 28-bit mask).
            ByteBuffer e28 = Harness.ata(Harness.HOST, 3, Ata.AFLAG_EXTENDED, Ata.CMD_READ, 1, lba, 0);
            ByteBuffer reply2 = big.send(e28);
            assertAtaOk(e28, reply2);
            assertEquals(0x44, reply2.get(Ata.DATA));
        }
    }

    @Test
    void broadcastAddressedAtaIsNotAnswered() {
        for (int[] a : new int[][] {{0xffff, 0xff}, {Harness.SHELF, 0xff}, {0xffff, Harness.SLOT}}) {
            ByteBuffer r = Harness.ata(Harness.HOST, a[0], a[1], 1, 0, Ata.CMD_IDENTIFY, 1, 0, 0);
            assertNull(h.send(r), a[0] + "." + a[1]);
        }
        assertEquals(0, h.store.writes.get());
    }

    @Test
    void otherShelfSlotIsNotAnswered() {
        ByteBuffer r = Harness.ata(Harness.HOST, Harness.SHELF, Harness.SLOT + 1, 1, 0, Ata.CMD_IDENTIFY, 1, 0, 0);
        assertNull(h.send(r));
    }

    // ---- read-only, identify, power, flush, unsupported ----

    @Test
    void readOnlyExportRefusesWritesWithAbrt(@TempDir Path other) throws Exception {
        try (Harness ro = new Harness(other, 1500, SECTORS, true)) {
            ByteBuffer w = Harness.write(1, 0, 1, (byte) 1);
            assertAtaError(w, ro.send(w), Ata.ERROR_ABRT);
            assertEquals(0, ro.store.data[0]);
            assertEquals(0, ro.store.writes.get());
            ByteBuffer r = Harness.read(2, 0, 1);
            assertAtaOk(r, ro.send(r));
        }
    }

    @Test
    void identify() {
        ByteBuffer r = Harness.ata(Harness.HOST, 5, 0, Ata.CMD_IDENTIFY, 1, 0, 0);
        ByteBuffer reply = h.send(r);
        assertAtaOk(r, reply);
        assertEquals(Ata.DATA + 512, reply.limit());
        ByteBuffer id = reply.slice(Ata.DATA, 512).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(SECTORS, (id.getShort(120) & 0xffff) | (id.getShort(122) & 0xffff) << 16, "words 60-61");
        assertEquals(SECTORS, id.getLong(200), "words 100-103");
        int w82 = id.getShort(164) & 0xffff, w83 = id.getShort(166) & 0xffff;
        int w85 = id.getShort(170) & 0xffff, w86 = id.getShort(172) & 0xffff;
        assertTrue((w83 & 1 << 10) != 0 && (w86 & 1 << 10) != 0, "LBA48 supported and enabled");
        assertTrue((w83 & 1 << 13) != 0 && (w86 & 1 << 13) != 0, "FLUSH CACHE EXT supported and enabled");
        assertTrue((w82 & 1 << 5) != 0 && (w85 & 1 << 5) != 0, "write cache supported and enabled");
        assertEquals("Test Model XY", ataString(id, 27, 40));
        assertEquals("SN12345", ataString(id, 10, 20));
        // byte-swapped: the first character is in the high byte of word 27
        assertEquals('e', id.get(54));
        assertEquals('T', id.get(55));
    }

    @Test
    void identifyOfALargeExportCapsLba28Capacity() {
        byte[] id = Identify.build(1L << 40, "m", "s", "0001");
        ByteBuffer b = ByteBuffer.wrap(id).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0fff_ffffL, (b.getShort(120) & 0xffffL) | (b.getShort(122) & 0xffffL) << 16);
        assertEquals(1L << 40, b.getLong(200));
    }

    private static String ataString(ByteBuffer id, int word, int len) {
        byte[] s = new byte[len];
        for (int i = 0; i < len; i++) {
            s[i] = id.get(word * 2 + (i ^ 1));
        }
        return new String(s, StandardCharsets.US_ASCII).trim();
    }

    @Test
    void checkPowerModeReportsActive() {
        ByteBuffer r = Harness.ata(Harness.HOST, 1, 0, Ata.CMD_CHECK_POWER_MODE, 0, 0, 0);
        ByteBuffer reply = h.send(r);
        assertAtaOk(r, reply);
        assertEquals(0xff, Ata.sectorCount(reply));
    }

    @Test
    void flushAndFlushExtFlushTheStore() {
        ByteBuffer f = Harness.ata(Harness.HOST, 1, 0, Ata.CMD_FLUSH, 0, 0, 0);
        assertAtaOk(f, h.send(f));
        assertEquals(1, h.store.flushes.get());
        ByteBuffer fx = Harness.ata(Harness.HOST, 2, Ata.AFLAG_EXTENDED, Ata.CMD_FLUSH_EXT, 0, 0, 0);
        assertAtaOk(fx, h.send(fx));
        assertEquals(2, h.store.flushes.get());
    }

    @Test
    void unsupportedAtaOpcodeIsAtaAbrtNotAoeError() {
        for (int op : new int[] {0x00, 0xC8, 0xEF, 0xF8}) {
            ByteBuffer r = Harness.ata(Harness.HOST, op, 0, op, 1, 0, 0);
            assertAtaError(r, h.send(r), Ata.ERROR_ABRT);
        }
    }

    @Test
    void storeErrorOnReadIsAtaError(@TempDir Path other) throws Exception {
        try (Harness x = new Harness(other, 1500, SECTORS, false)) {
            BlockStore failing = new MemStore(SECTORS, false) {
                @Override
                public synchronized void read(long lba, ByteBuffer dst) throws IOException {
                    throw new IOException("media error");
                }
            };
            Export e = new Export(x.export.settings, "failing", failing, x.stateFile, LiveState.EMPTY);
            x.port.deactivate(x.export);
            x.port.attach(e);
            x.port.activate(e);
            ByteBuffer r = Harness.read(1, 0, 1);
            ByteBuffer reply = x.send(r);
            assertEquals(Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.status(reply));
            assertEquals(Ata.ERROR_UNC, Ata.errorReg(reply));
            assertEquals(0, Aoe.error(reply));
        }
    }

    /** A huge sparse store: sectors kept in a map. */
    static final class SparseStore implements BlockStore {
        final long size;
        final Map<Long, byte[]> sectors = new ConcurrentHashMap<>();

        SparseStore(long size) {
            this.size = size;
        }

        @Override
        public long sectors() {
            return size;
        }

        @Override
        public boolean readOnly() {
            return false;
        }

        @Override
        public void read(long lba, ByteBuffer dst) {
            while (dst.hasRemaining()) {
                byte[] s = sectors.getOrDefault(lba++, new byte[SECTOR]);
                dst.put(s);
            }
        }

        @Override
        public void write(long lba, ByteBuffer src) {
            while (src.hasRemaining()) {
                byte[] s = new byte[SECTOR];
                src.get(s);
                sectors.put(lba++, s);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public String describe() {
            return "sparse";
        }

        @Override
        public void close() {
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void readReturnsStoreContent() {
        for (int i = 0; i < 1024; i++) {
            h.store.data[20 * 512 + i] = (byte) i;
        }
        ByteBuffer r = Harness.read(1, 20, 2);
        ByteBuffer reply = h.send(r);
        assertArrayEquals(Arrays.copyOfRange(h.store.data, 20 * 512, 22 * 512),
                bytes(reply.slice(Ata.DATA, 1024)));
    }
}
