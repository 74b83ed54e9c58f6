package org.aoede.extension.crc;

import org.aoede.protocol.Crc8x4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.junit.jupiter.api.Test;

class CrcExtensionTest {
    static final long HOST = 0x02_00_00_00_0a_01L;
    static final long SELF = 0x02_00_00_00_00_01L;

    /** An initiator's context: negotiated names and counters in plain maps. */
    static final class FakeContext implements ExtensionContext {
        final Set<String> negotiated = new HashSet<>();
        final Map<String, Integer> counts = new HashMap<>();
        final ConcurrentMap<String, Object> attributes = new ConcurrentHashMap<>();

        @Override public String exportName() { return "t"; }
        @Override public long initiator() { return HOST; }
        @Override public Set<String> negotiated() { return negotiated; }
        @Override public boolean supported(String name) { return name.equals("crc8x4"); }
        @Override public void negotiate(String name) { negotiated.add(name); }
        @Override public void resetNegotiation() { negotiated.clear(); }
        @Override public void count(String what) { counts.merge(what, 1, Integer::sum); }
        @Override public ConcurrentMap<String, Object> attributes() { return attributes; }
        @Override public int ata(ByteBuffer request, ByteBuffer reply) { throw new UnsupportedOperationException(); }
        @Override public boolean send(ByteBuffer frame) { return false; }

        @Override
        public int respond(ByteBuffer request, ByteBuffer reply, int length) {
            reply.put(0, request, 0, length);
            Aoe.toResponse(reply, SELF);
            return length;
        }
    }

    final CrcExtension crc = new CrcExtension();

    static ByteBuffer request(int cmd, int count, int dataBytes) {
        ByteBuffer f = ByteBuffer.allocate(Math.max(Aoe.MIN_FRAME, Ata.HEADER + dataBytes));
        Aoe.putHeader(f, SELF, HOST, 0, 0, 7, 3, Aoe.CMD_ATA, 0x8000_1234);
        int aflags = Ata.AFLAG_EXTENDED | (cmd == Ata.CMD_WRITE_EXT || cmd == Ata.CMD_WRITE ? Ata.AFLAG_WRITE : 0);
        Ata.putHeader(f, aflags, 0, count, cmd, 1000);
        Random r = new Random(cmd * 31L + count);
        for (int i = Ata.DATA; i < Ata.HEADER + dataBytes; i++) {
            f.put(i, (byte) r.nextInt());
        }
        return f;
    }

    /** What the export would answer to a read or IDENTIFY: the header turned round, the data, DRDY. */
    static int dataReply(ByteBuffer req, ByteBuffer reply, int sectors, int status) {
        reply.put(0, req, 0, Ata.HEADER);
        Aoe.toResponse(reply, SELF);
        Ata.setStatus(reply, status);
        Ata.setErrorReg(reply, (status & Ata.STATUS_ERR) != 0 ? Ata.ERROR_IDNF : 0);
        if ((status & Ata.STATUS_ERR) != 0) {
            return Ata.HEADER;
        }
        for (int i = 0; i < sectors * Ata.SECTOR; i++) {
            reply.put(Ata.DATA + i, (byte) (i * 7));
        }
        return Ata.DATA + sectors * Ata.SECTOR;
    }

    static ByteBuffer replyBuffer() {
        return ByteBuffer.allocate(65536 + 64);
    }

    @Test
    void declaresItself() {
        assertEquals(Set.of("crc8x4"), crc.provides());
        assertEquals(4, crc.trailerBytes());
    }

    @Test
    void readReplyGetsCrcOnlyWhenNegotiated() {
        for (boolean negotiated : new boolean[] {false, true}) {
            FakeContext ctx = new FakeContext();
            if (negotiated) {
                ctx.negotiate("crc8x4");
            }
            ByteBuffer req = request(Ata.CMD_READ_EXT, 2, 0);
            ByteBuffer reply = replyBuffer();
            assertEquals(Extension.PASS, crc.beforeAta(ctx, req, reply));
            int n = dataReply(req, reply, 2, Ata.STATUS_DRDY);
            int out = crc.afterAta(ctx, req, reply, n);
            if (negotiated) {
                assertEquals(n + 4, out);
                assertEquals(lanes(reply.array(), Aoe.HEADER, n), reply.getInt(n));
            } else {
                assertEquals(n, out);
            }
        }
    }

    @Test
    void identifyReplyGetsCrc() {
        FakeContext ctx = new FakeContext();
        ctx.negotiate("crc8x4");
        ByteBuffer req = request(Ata.CMD_IDENTIFY, 1, 0);
        ByteBuffer reply = replyBuffer();
        int n = dataReply(req, reply, 1, Ata.STATUS_DRDY);
        assertEquals(n + 4, crc.afterAta(ctx, req, reply, n));
        assertEquals(lanes(reply.array(), Aoe.HEADER, n), reply.getInt(n));
    }

    @Test
    void noCrcOnErrorsWriteAcksAndEmptyReplies() {
        FakeContext ctx = new FakeContext();
        ctx.negotiate("crc8x4");
        ByteBuffer reply = replyBuffer();
        ByteBuffer read = request(Ata.CMD_READ_EXT, 2, 0);
        int n = dataReply(read, reply, 2, Ata.STATUS_DRDY | Ata.STATUS_ERR);   // IDNF
        assertEquals(n, crc.afterAta(ctx, read, reply, n));
        ByteBuffer zero = request(Ata.CMD_READ_EXT, 0, 0);
        n = dataReply(zero, reply, 0, Ata.STATUS_DRDY);
        assertEquals(n, crc.afterAta(ctx, zero, reply, n));
        ByteBuffer write = request(Ata.CMD_WRITE_EXT, 1, 512 + 4);
        Crc8x4.append(write, Aoe.HEADER, Ata.DATA + 512);
        n = dataReply(write, reply, 0, Ata.STATUS_DRDY);                     // the acknowledgement
        assertEquals(n, crc.afterAta(ctx, write, reply, n));
        n = ctx.respond(read, reply, Aoe.HEADER);
        Aoe.toError(reply, Aoe.ERR_BAD_ARGUMENT);
        assertEquals(n, crc.afterAta(ctx, read, reply, n));
        assertEquals(Extension.NO_REPLY, crc.afterAta(ctx, read, reply, Extension.NO_REPLY));
    }

    @Test
    void writeWithGoodCrcPasses() {
        FakeContext ctx = new FakeContext();
        ctx.negotiate("crc8x4");
        ByteBuffer w = request(Ata.CMD_WRITE_EXT, 2, 1024 + 4);
        Crc8x4.append(w, Aoe.HEADER, Ata.DATA + 1024);
        assertEquals(Extension.PASS, crc.beforeAta(ctx, w, replyBuffer()));
        assertTrue(ctx.counts.isEmpty());
    }

    @Test
    void writeWithBadCrcIsDroppedAndCounted() {
        FakeContext ctx = new FakeContext();
        ctx.negotiate("crc8x4");
        ByteBuffer w = request(Ata.CMD_WRITE_EXT, 2, 1024 + 4);
        Crc8x4.append(w, Aoe.HEADER, Ata.DATA + 1024);
        w.put(Ata.DATA + 700, (byte) (w.get(Ata.DATA + 700) ^ 0x10));        // one bit flipped in the data
        assertEquals(Extension.NO_REPLY, crc.beforeAta(ctx, w, replyBuffer()));
        ByteBuffer h = request(Ata.CMD_WRITE, 1, 512 + 4);
        Crc8x4.append(h, Aoe.HEADER, Ata.DATA + 512);
        Ata.setLba(h, 1001);                                                 // the header is covered too
        assertEquals(Extension.NO_REPLY, crc.beforeAta(ctx, h, replyBuffer()));
        assertEquals(Map.of("crc-mismatch", 2), ctx.counts);
    }

    @Test
    void writeWithoutCrcIsRefused() {
        FakeContext ctx = new FakeContext();
        ctx.negotiate("crc8x4");
        ByteBuffer w = request(Ata.CMD_WRITE_EXT, 2, 1024);
        ByteBuffer reply = replyBuffer();
        int n = crc.beforeAta(ctx, w, reply);
        assertEquals(Aoe.HEADER, n);
        assertTrue(Aoe.isResponse(reply) && Aoe.isError(reply));
        assertEquals(Aoe.ERR_BAD_ARGUMENT, Aoe.error(reply));
        assertEquals(0x8000_1234, Aoe.tag(reply));
        assertEquals(Map.of("crc-missing", 1), ctx.counts);
    }

    @Test
    void notNegotiatedWritesAreUntouched() {
        FakeContext ctx = new FakeContext();
        assertEquals(Extension.PASS, crc.beforeAta(ctx, request(Ata.CMD_WRITE_EXT, 2, 1024), replyBuffer()));
        ByteBuffer bad = request(Ata.CMD_WRITE_EXT, 2, 1024 + 4);                // trailing garbage, no CRC meant
        assertEquals(Extension.PASS, crc.beforeAta(ctx, bad, replyBuffer()));
        assertTrue(ctx.counts.isEmpty());
    }

    @Test
    void shortWritesAndZeroCountsAreLeftToTheExport() {
        FakeContext ctx = new FakeContext();
        ctx.negotiate("crc8x4");
        assertEquals(Extension.PASS, crc.beforeAta(ctx, request(Ata.CMD_WRITE_EXT, 2, 600), replyBuffer()));
        assertEquals(Extension.PASS, crc.beforeAta(ctx, request(Ata.CMD_WRITE_EXT, 0, 0), replyBuffer()));
        assertEquals(Extension.PASS, crc.beforeAta(ctx, request(Ata.CMD_READ_EXT, 2, 0), replyBuffer()));
        assertTrue(ctx.counts.isEmpty());
    }

    @Test
    void mismatchLogIsRateLimitedPerInitiator() {
        FakeContext ctx = new FakeContext();
        ctx.negotiate("crc8x4");
        ByteBuffer w = request(Ata.CMD_WRITE_EXT, 1, 512 + 4);
        for (int i = 0; i < 100; i++) {
            assertEquals(Extension.NO_REPLY, crc.beforeAta(ctx, w, replyBuffer()));
        }
        assertEquals(100, ctx.counts.get("crc-mismatch"));
        assertEquals(1, ctx.attributes.size());                              // one timestamp, no growth
    }

    /** Independent reference: bitwise CRC-8 (LSB first, 0xB2, init 0xFF) per lane, lane 0 in the top byte. */
    static int lanes(byte[] d, int from, int to) {
        int r = 0;
        for (int lane = 0; lane < 4; lane++) {
            int c = 0xFF;
            for (int i = from + lane; i < to; i += 4) {
                c ^= d[i] & 0xff;
                for (int k = 0; k < 8; k++) {
                    c = (c & 1) != 0 ? (c >>> 1) ^ 0xB2 : c >>> 1;
                }
            }
            r = r << 8 | c;
        }
        return r;
    }
}
