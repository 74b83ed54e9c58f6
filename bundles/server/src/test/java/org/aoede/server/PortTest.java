package org.aoede.server;

import static org.aoede.server.Replies.assertResponseTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Reserve;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frame dispatch, reply framing, MTU, advertising and probing. */
class PortTest {
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

    private List<ByteBuffer> everyKindOfRequest(int tag) {
        return List.of(
                Harness.read(tag, 0, 1),
                Harness.read(tag, 0, 0),
                Harness.read(tag, 1000, 1),                                   // IDNF
                Harness.read(tag, 0, 100),                                    // AoE error 2
                Harness.ata(Harness.HOST, tag, 0, Ata.CMD_IDENTIFY, 1, 0, 0),
                Harness.ata(Harness.HOST, tag, 0, Ata.CMD_FLUSH, 0, 0, 0),
                Harness.ata(Harness.HOST, tag, 0, Ata.CMD_CHECK_POWER_MODE, 0, 0, 0),
                Harness.write(tag, 2, 1, (byte) 1),
                Harness.config(Harness.HOST, tag, Config.READ, new byte[0]),
                Harness.mask(Harness.HOST, tag, MacMask.READ, new int[0], new long[0]),
                Harness.reserve(Harness.HOST, tag, Reserve.READ),
                Harness.header(Aoe.HEADER, Harness.HOST, Harness.SHELF, Harness.SLOT, 42, tag));     // AoE error 1
    }

    @Test
    void repliesBuiltInTheLinksTransmitSlotEqualThoseBuiltInThePortsBuffer() {
        List<ByteBuffer> viaPort = new java.util.ArrayList<>();
        for (ByteBuffer req : everyKindOfRequest(77)) {
            viaPort.add(h.send(req.duplicate()));
        }
        h.link.slot = ByteBuffer.allocateDirect(9216);
        // dirty slot: a reply must not carry bytes of an earlier, longer one
        for (int i = 0; i < 9216; i++) {
            h.link.slot.put(i, (byte) 0xEE);
        }
        List<ByteBuffer> reqs = everyKindOfRequest(77);
        for (int i = 0; i < reqs.size(); i++) {
            ByteBuffer r = h.send(reqs.get(i).duplicate());
            assertEquals(viaPort.get(i), r, "request " + i);
        }
        assertEquals(reqs.size(), h.link.sentInPlace, "every reply built in place");
    }

    @Test
    void everyReplyIsAWellFormedPaddedResponse() {
        for (int tag : new int[] {0, 1, 0x7fff_ffff, Aoe.TAG_USERLAND | 5, -1, 0x1234_5678}) {
            for (ByteBuffer q : everyKindOfRequest(tag)) {
                ByteBuffer r = h.send(q);
                assertResponseTo(q, r);
                assertTrue(r.limit() >= Aoe.MIN_FRAME, "padded to 60 bytes: " + r.limit());
                assertEquals(0, r.position());
                assertEquals(0, Aoe.flags(r) & ~(Aoe.FLAG_RESPONSE | Aoe.FLAG_ERROR), "only R and E flags");
            }
        }
    }

    @Test
    void paddingIsZeroed() {
        // dirty the port's reply buffer with a big reply, then send a small one
        ByteBuffer big = h.send(Harness.read(1, 0, 2));
        assertEquals(Ata.DATA + 1024, big.limit());
        h.store.data[0] = 1;
        ByteBuffer small = h.send(Harness.reserve(Harness.HOST, 2, Reserve.READ));
        assertEquals(Aoe.MIN_FRAME, small.limit());
        for (int i = Reserve.HEADER; i < Aoe.MIN_FRAME; i++) {
            assertEquals(0, small.get(i), "padding byte " + i);
        }
    }

    @Test
    void framesOfAnotherEtherTypeAreIgnored() {
        ByteBuffer q = Harness.read(1, 0, 1);
        q.putShort(12, (short) 0x0800);
        assertNull(h.send(q));
    }

    @Test
    void maxSectorsFollowsTheMtu() {
        assertEquals(2, h.port.maxSectors());
        h.link.mtu = 9000;
        h.port.linkUp(h.link);
        assertEquals(17, h.port.maxSectors());
        ByteBuffer q = Harness.read(1, 0, 17);
        ByteBuffer r = h.send(q);
        assertEquals(Ata.STATUS_DRDY, Ata.status(r));
        h.link.mtu = 1500;
        h.port.linkUp(h.link);
        assertEquals(Aoe.ERR_BAD_ARGUMENT, Aoe.error(h.send(q)));
    }

    @Test
    void linkDownStopsAnswering() {
        h.port.linkDown(h.link, "test");
        assertNull(h.send(Harness.read(1, 0, 1)));
    }

    @Test
    void broadcastConfigQueryReachesEveryExport(@TempDir Path other) throws Exception {
        ExportSettings s2 = ExportSettings.parse("t2", Map.of("shelf", "8", "slot", "1", "interfaces", "fake0",
                "file", "/x"));
        StateFile sf = new StateFile(other.resolve("t2.state"), h.timer);
        Export e2 = new Export(s2, "t2", new MemStore(8, false), sf, LiveState.EMPTY);
        h.port.attach(e2);
        h.port.activate(e2);
        ByteBuffer q = Harness.config(Harness.HOST, 9, Config.READ, new byte[0]);
        Aoe.setShelf(q, 0xffff);
        Aoe.setSlot(q, 0xff);
        h.link.sent.clear();
        h.port.onFrame(h.link, q);
        assertEquals(2, h.link.sent.size());
        // shelf 8 only
        Aoe.setShelf(q, 8);
        h.link.sent.clear();
        h.port.onFrame(h.link, q);
        assertEquals(1, h.link.sent.size());
        assertEquals(8, Aoe.shelf(h.link.last()));
    }

    @Test
    void advertisementIsABroadcastConfigReplyWithTagZero() {
        h.link.sent.clear();
        h.port.advertise(h.export);
        assertEquals(1, h.link.sent.size());
        ByteBuffer a = h.link.last();
        assertEquals(Mac.BROADCAST, Aoe.dst(a));
        assertEquals(Harness.PORT_MAC, Aoe.src(a));
        assertTrue(Aoe.isResponse(a));
        assertFalse(Aoe.isError(a));
        assertEquals(1, Aoe.version(a));
        assertEquals(0, Aoe.tag(a));
        assertEquals(Harness.SHELF, Aoe.shelf(a));
        assertEquals(Harness.SLOT, Aoe.slot(a));
        assertEquals(Aoe.CMD_CONFIG, Aoe.command(a));
        assertEquals(2, Config.sectorCount(a));
        assertEquals(64, Config.bufferCount(a));
        assertTrue(a.limit() >= Aoe.MIN_FRAME);
    }

    @Test
    void advertisementIsUnicastToAMaskList() {
        h.export.live(h.export.live().withMask(new long[] {Harness.HOST, Harness.OTHER}));
        h.link.sent.clear();
        h.port.advertise(h.export);
        assertEquals(2, h.link.sent.size());
        assertEquals(Harness.HOST, Aoe.dst(h.link.sent.get(0)));
        assertEquals(Harness.OTHER, Aoe.dst(h.link.sent.get(1)));
    }

    @Test
    void probeNoticesAForeignTargetButNotItself() {
        h.port.deactivate(h.export);
        h.link.sent.clear();
        Port.Probe p = h.port.startProbe(h.export);
        assertEquals(1, h.link.sent.size());
        ByteBuffer q = h.link.last();
        assertEquals(Mac.BROADCAST, Aoe.dst(q));
        assertFalse(Aoe.isResponse(q));
        assertEquals(Aoe.CMD_CONFIG, Aoe.command(q));
        assertEquals(Harness.SHELF, Aoe.shelf(q));
        assertEquals(Harness.SLOT, Aoe.slot(q));
        assertEquals(p.tag, Aoe.tag(q));
        assertTrue(q.limit() >= Aoe.MIN_FRAME);

        // our own reply (seen by the transport) is not a foreign target
        ByteBuffer own = Harness.config(Harness.PORT_MAC, p.tag, Config.READ, new byte[0]);
        Aoe.setFlags(own, Aoe.FLAG_RESPONSE);
        h.link.sent.clear();
        h.port.onFrame(h.link, own);
        assertTrue(h.link.sent.isEmpty(), "responses are never answered");
        assertEquals(0, p.foreign);

        long foreign = 0x0a0b_0c0d_0e0fL;
        ByteBuffer theirs = Harness.config(foreign, p.tag, Config.READ, new byte[0]);
        Aoe.setFlags(theirs, Aoe.FLAG_RESPONSE);
        h.port.onFrame(h.link, theirs);
        assertTrue(h.link.sent.isEmpty());
        assertEquals(foreign, h.port.endProbe(h.export));
        assertEquals(0, h.port.endProbe(h.export), "probe ended");
    }

    @Test
    void inactiveExportIsNotAnswered() {
        h.port.deactivate(h.export);
        assertNull(h.send(Harness.read(1, 0, 1)));
        h.port.activate(h.export);
        assertNotEquals(null, h.send(Harness.read(1, 0, 1)));
    }
}
