package org.aoede.server;

import static org.aoede.server.Replies.assertAoeError;
import static org.aoede.server.Replies.assertAtaOk;
import static org.aoede.server.Replies.assertNoAoeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Reserve;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query config, MAC mask list and reserve/release. */
class ExportControlTest {
    @TempDir
    Path dir;
    Harness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new Harness(dir, 1500, 64, false);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] configString(ByteBuffer reply) {
        assertEquals(true, Config.stringFits(reply), "config string inside the reply");
        return Config.string(reply);
    }

    // ---- query config ----

    @Test
    void configRead() {
        h.export.live(h.export.live().withConfig(b("hello")));
        ByteBuffer q = Harness.config(Harness.HOST, 21, Config.READ, new byte[0]);
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertEquals(64, Config.bufferCount(r));
        assertEquals(Identify.FIRMWARE_VERSION, Config.firmwareVersion(r));
        assertEquals(2, Config.sectorCount(r), "max sectors at MTU 1500");
        assertEquals(1, Config.aoeVersion(r));
        assertEquals(Config.READ, Config.subcommand(r));
        assertArrayEquals(b("hello"), configString(r));
    }

    @Test
    void configReadAtMtu9000AdvertisesSeventeenSectors(@TempDir Path other) throws Exception {
        try (Harness jumbo = new Harness(other, 9000, 64, false)) {
            ByteBuffer q = Harness.config(Harness.HOST, 1, Config.READ, new byte[0]);
            assertEquals(17, Config.sectorCount(jumbo.send(q)));
        }
    }

    @Test
    void configTestExact() {
        h.export.live(h.export.live().withConfig(b("abc")));
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.TEST_EXACT, b("abc"));
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertArrayEquals(b("abc"), configString(r));
        assertNull(h.send(Harness.config(Harness.HOST, 2, Config.TEST_EXACT, b("ab"))), "mismatch: no reply");
        assertNull(h.send(Harness.config(Harness.HOST, 3, Config.TEST_EXACT, b("abcd"))), "mismatch: no reply");
    }

    @Test
    void configTestPrefix() {
        h.export.live(h.export.live().withConfig(b("abc")));
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.TEST_PREFIX, b("ab"));
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertArrayEquals(b("abc"), configString(r));
        assertNotNull(h.send(Harness.config(Harness.HOST, 2, Config.TEST_PREFIX, new byte[0])));
        assertNull(h.send(Harness.config(Harness.HOST, 3, Config.TEST_PREFIX, b("abd"))), "mismatch: no reply");
        assertNull(h.send(Harness.config(Harness.HOST, 4, Config.TEST_PREFIX, b("abcd"))), "mismatch: no reply");
    }

    @Test
    void configSetWhenEmptyOrSame() {
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.SET, b("mine"));
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertArrayEquals(b("mine"), configString(r));
        assertArrayEquals(b("mine"), h.export.live().configString());
        ByteBuffer same = Harness.config(Harness.OTHER, 2, Config.SET, b("mine"));
        assertNoAoeError(same, h.send(same));
    }

    @Test
    void configSetWhenDifferentIsConfigPresent() {
        h.export.live(h.export.live().withConfig(b("theirs")));
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.SET, b("mine"));
        assertAoeError(q, h.send(q), Aoe.ERR_CONFIG_PRESENT);
        assertArrayEquals(b("theirs"), h.export.live().configString());
    }

    @Test
    void configForceSet() {
        h.export.live(h.export.live().withConfig(b("theirs")));
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.FORCE_SET, b("mine"));
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertArrayEquals(b("mine"), configString(r));
        assertArrayEquals(b("mine"), h.export.live().configString());
    }

    @Test
    void configStringLongerThan1024IsBadArgument() {
        byte[] s = new byte[1025];
        Arrays.fill(s, (byte) 'x');
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.FORCE_SET, s);
        assertAoeError(q, h.send(q), Aoe.ERR_BAD_ARGUMENT);
        assertEquals(0, h.export.live().configString().length);
        byte[] max = new byte[1024];
        Arrays.fill(max, (byte) 'y');
        ByteBuffer ok = Harness.config(Harness.HOST, 2, Config.FORCE_SET, max);
        assertNoAoeError(ok, h.send(ok));
    }

    @Test
    void configStringBeyondTheFrameIsBadArgument() {
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.SET, b("short"));
        q.putShort(Aoe.HEADER + 6, (short) 100);          // claims 100 bytes, carries 5
        assertAoeError(q, h.send(q), Aoe.ERR_BAD_ARGUMENT);
        assertEquals(0, h.export.live().configString().length);
    }

    @Test
    void configFrameTooShortGetsNoReply() {
        ByteBuffer q = Harness.config(Harness.HOST, 1, Config.READ, new byte[0]);
        ByteBuffer shortQ = ByteBuffer.allocate(Config.HEADER - 1);
        shortQ.put(0, q, 0, shortQ.limit());
        assertNull(h.send(shortQ));
    }

    @Test
    void broadcastConfigSetGetsNoReplyAndChangesNothing() {
        for (int sub : new int[] {Config.SET, Config.FORCE_SET}) {
            ByteBuffer q = Harness.config(Harness.HOST, 1, sub, b("all"));
            Aoe.setShelf(q, 0xffff);
            Aoe.setSlot(q, 0xff);
            assertNull(h.send(q));
        }
        assertEquals(0, h.export.live().configString().length);
    }

    @Test
    void broadcastConfigReadIsAnsweredWithTheExportsOwnAddress() {
        ByteBuffer q = Harness.config(Harness.HOST, 0x1234, Config.READ, new byte[0]);
        Aoe.setShelf(q, 0xffff);
        Aoe.setSlot(q, 0xff);
        ByteBuffer r = h.send(q);
        assertNotNull(r);
        assertEquals(0x1234, Aoe.tag(r));
        // The Linux driver ignores config replies from shelf 0xffff or slot 0xff: a reply to a
        // discovery broadcast must name the export's own address.
        assertEquals(Harness.SHELF, Aoe.shelf(r));
        assertEquals(Harness.SLOT, Aoe.slot(r));
    }

    // ---- MAC mask list ----

    static long[] listOf(ByteBuffer r) {
        long[] out = new long[MacMask.directiveCount(r)];
        for (int i = 0; i < out.length; i++) {
            assertEquals(MacMask.DIR_ADD, MacMask.directiveCommand(r, i));
            out[i] = MacMask.directiveMac(r, i);
        }
        return out;
    }

    @Test
    void maskReadEmptyAndConfigured(@TempDir Path other) throws Exception {
        ByteBuffer q = Harness.mask(Harness.HOST, 1, MacMask.READ, new int[0], new long[0]);
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertEquals(0, MacMask.maskError(r));
        assertEquals(0, MacMask.directiveCount(r));
        try (Harness m = new Harness(other, 1500, 8, false,
                java.util.Map.of("allowed-macs", "02:00:00:00:0a:01, 02:00:00:00:0b:02"))) {
            ByteBuffer r2 = m.send(q);
            assertNoAoeError(q, r2);
            assertArrayEquals(new long[] {Harness.HOST, Harness.OTHER}, listOf(r2));
        }
    }

    @Test
    void maskEditAddDeleteNop() {
        ByteBuffer add = Harness.mask(Harness.HOST, 1, MacMask.EDIT,
                new int[] {MacMask.DIR_ADD, MacMask.DIR_ADD, MacMask.DIR_ADD, MacMask.DIR_NOP},
                new long[] {Harness.HOST, Harness.OTHER, Harness.HOST, 0x0203_0405_0607L});
        ByteBuffer r = h.send(add);
        assertNoAoeError(add, r);
        assertEquals(0, MacMask.maskError(r));
        assertArrayEquals(new long[] {Harness.HOST, Harness.OTHER}, listOf(r), "duplicates added once, nop ignored");
        assertArrayEquals(new long[] {Harness.HOST, Harness.OTHER}, h.export.live().mask());

        ByteBuffer del = Harness.mask(Harness.HOST, 2, MacMask.EDIT, new int[] {MacMask.DIR_DELETE},
                new long[] {Harness.OTHER});
        ByteBuffer r2 = h.send(del);
        assertNoAoeError(del, r2);
        assertArrayEquals(new long[] {Harness.HOST}, listOf(r2));
        assertArrayEquals(new long[] {Harness.HOST}, h.export.live().mask());
    }

    @Test
    void maskBadDirectiveReportsItsIndex() {
        ByteBuffer q = Harness.mask(Harness.HOST, 1, MacMask.EDIT,
                new int[] {MacMask.DIR_ADD, MacMask.DIR_NOP, 7, MacMask.DIR_ADD},
                new long[] {Harness.HOST, 0, Harness.OTHER, Harness.OTHER});
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertEquals(MacMask.ERR_BAD_DIRECTIVE, MacMask.maskError(r));
        assertEquals(2, MacMask.directiveCount(r), "dircount = index of the failing directive");
        assertArrayEquals(new long[] {Harness.HOST}, h.export.live().mask(), "directives after the failure not applied");
    }

    @Test
    void maskFullListIsMaskErrorFull() {
        int[] cmds = new int[64];
        long[] macs = new long[64];
        Arrays.fill(cmds, MacMask.DIR_ADD);
        macs[0] = Harness.HOST;
        for (int i = 1; i < 64; i++) {
            macs[i] = 0x0600_0000_0000L + i;
        }
        ByteBuffer fill = Harness.mask(Harness.HOST, 1, MacMask.EDIT, cmds, macs);
        ByteBuffer r = h.send(fill);
        assertNoAoeError(fill, r);
        assertEquals(0, MacMask.maskError(r));
        assertEquals(64, MacMask.directiveCount(r));
        ByteBuffer more = Harness.mask(Harness.HOST, 2, MacMask.EDIT,
                new int[] {MacMask.DIR_ADD, MacMask.DIR_ADD}, new long[] {Harness.HOST, Harness.OTHER});
        ByteBuffer r2 = h.send(more);
        assertNoAoeError(more, r2);
        assertEquals(MacMask.ERR_FULL, MacMask.maskError(r2));
        assertEquals(1, MacMask.directiveCount(r2), "index of the directive that did not fit");
        assertEquals(64, h.export.live().mask().length);
    }

    @Test
    void maskedOutHostGetsNoReplyToAnyCommand() {
        h.export.live(h.export.live().withMask(new long[] {Harness.OTHER}));
        ByteBuffer[] requests = {
            Harness.read(1, 0, 1),
            Harness.write(2, 0, 1, (byte) 1),
            Harness.ata(Harness.HOST, 3, 0, Ata.CMD_IDENTIFY, 1, 0, 0),
            Harness.read(4, 1L << 40, 1),
            Harness.config(Harness.HOST, 5, Config.READ, new byte[0]),
            Harness.config(Harness.HOST, 6, Config.FORCE_SET, b("x")),
            Harness.mask(Harness.HOST, 7, MacMask.READ, new int[0], new long[0]),
            Harness.mask(Harness.HOST, 8, MacMask.EDIT, new int[] {MacMask.DIR_ADD}, new long[] {Harness.HOST}),
            Harness.reserve(Harness.HOST, 9, Reserve.READ),
            Harness.reserve(Harness.HOST, 10, Reserve.FORCE_SET, Harness.HOST),
            Harness.header(Aoe.MIN_FRAME, Harness.HOST, Harness.SHELF, Harness.SLOT, 9, 11),
        };
        for (ByteBuffer q : requests) {
            assertNull(h.send(q), "command " + Aoe.command(q) + " tag " + Aoe.tag(q));
            ByteBuffer bc = ByteBuffer.allocate(q.limit());
            bc.put(0, q, 0, q.limit());
            Aoe.setShelf(bc, 0xffff);
            Aoe.setSlot(bc, 0xff);
            assertNull(h.send(bc), "broadcast command " + Aoe.command(q));
        }
        assertEquals(0, h.store.writes.get());
        assertArrayEquals(new long[] {Harness.OTHER}, h.export.live().mask());
        assertEquals(0, h.export.live().configString().length);
        assertEquals(0, h.export.live().reservation().length);
        ByteBuffer allowed = Harness.ata(Harness.OTHER, 12, 0, Ata.CMD_IDENTIFY, 1, 0, 0);
        assertAtaOk(allowed, h.send(allowed));
    }

    // ---- reserve / release ----

    static long[] reservationOf(ByteBuffer r) {
        long[] out = new long[Reserve.count(r)];
        for (int i = 0; i < out.length; i++) {
            out[i] = Reserve.mac(r, i);
        }
        return out;
    }

    @Test
    void reserveRead() {
        ByteBuffer q = Harness.reserve(Harness.HOST, 1, Reserve.READ);
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertEquals(0, Reserve.count(r));
        h.export.live(h.export.live().withReservation(new long[] {Harness.OTHER}));
        ByteBuffer r2 = h.send(q);
        assertArrayEquals(new long[] {Harness.OTHER}, reservationOf(r2));
    }

    @Test
    void reserveSet() {
        ByteBuffer q = Harness.reserve(Harness.HOST, 1, Reserve.SET, Harness.HOST, Harness.OTHER);
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertArrayEquals(new long[] {Harness.HOST, Harness.OTHER}, reservationOf(r));
        assertArrayEquals(new long[] {Harness.HOST, Harness.OTHER}, h.export.live().reservation());
        // a member may change it
        ByteBuffer again = Harness.reserve(Harness.OTHER, 2, Reserve.SET, Harness.OTHER);
        assertNoAoeError(again, h.send(again));
        assertArrayEquals(new long[] {Harness.OTHER}, h.export.live().reservation());
    }

    @Test
    void reserveSetFromOutsideIsReservationConflict() {
        h.export.live(h.export.live().withReservation(new long[] {Harness.OTHER}));
        ByteBuffer q = Harness.reserve(Harness.HOST, 1, Reserve.SET, Harness.HOST);
        assertAoeError(q, h.send(q), Aoe.ERR_RESERVED);
        assertArrayEquals(new long[] {Harness.OTHER}, h.export.live().reservation());
    }

    @Test
    void reserveForceSet() {
        h.export.live(h.export.live().withReservation(new long[] {Harness.OTHER}));
        ByteBuffer q = Harness.reserve(Harness.HOST, 1, Reserve.FORCE_SET, Harness.HOST);
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertArrayEquals(new long[] {Harness.HOST}, reservationOf(r));
        assertArrayEquals(new long[] {Harness.HOST}, h.export.live().reservation());
    }

    @Test
    void reserveRelease() {
        h.export.live(h.export.live().withReservation(new long[] {Harness.HOST}));
        ByteBuffer q = Harness.reserve(Harness.HOST, 1, Reserve.SET);
        ByteBuffer r = h.send(q);
        assertNoAoeError(q, r);
        assertEquals(0, Reserve.count(r));
        assertEquals(0, h.export.live().reservation().length);
        ByteBuffer w = Harness.write(2, 0, 1, (byte) 1);
        Aoe.setSrc(w, Harness.OTHER);
        assertAtaOk(w, h.send(w));
    }

    @Test
    void reserveMacsBeyondTheFrameIsBadArgument() {
        ByteBuffer q = Harness.reserve(Harness.HOST, 1, Reserve.SET, Harness.HOST);
        q.put(Aoe.HEADER + 1, (byte) 3);
        assertAoeError(q, h.send(q), Aoe.ERR_BAD_ARGUMENT);
    }

    @Test
    void whileReservedAtaFromOthersIsRefusedExceptIdentify() {
        h.export.live(h.export.live().withReservation(new long[] {Harness.HOST}));
        ByteBuffer w = Harness.ata(Harness.OTHER, 1, Ata.AFLAG_EXTENDED | Ata.AFLAG_WRITE, Ata.CMD_WRITE_EXT, 1, 0, 512);
        assertAoeError(w, h.send(w), Aoe.ERR_RESERVED);
        ByteBuffer r = Harness.ata(Harness.OTHER, 2, Ata.AFLAG_EXTENDED, Ata.CMD_READ_EXT, 1, 0, 0);
        assertAoeError(r, h.send(r), Aoe.ERR_RESERVED);
        ByteBuffer f = Harness.ata(Harness.OTHER, 3, 0, Ata.CMD_FLUSH, 0, 0, 0);
        assertAoeError(f, h.send(f), Aoe.ERR_RESERVED);
        ByteBuffer id = Harness.ata(Harness.OTHER, 4, 0, Ata.CMD_IDENTIFY, 1, 0, 0);
        assertAtaOk(id, h.send(id));
        assertEquals(0, h.store.writes.get());
        ByteBuffer mine = Harness.write(5, 0, 1, (byte) 1);
        assertAtaOk(mine, h.send(mine));
    }
}
