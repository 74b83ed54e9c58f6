package org.aoede.extension.negotiation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.CoalescedRead;
import org.aoede.protocol.Negotiate;
import org.junit.jupiter.api.Test;

class NegotiationTest {
    static final long TARGET = 0x020000000001L;
    static final long HOST = 0x020000000002L;

    /** An export using the negotiation extension (and whatever else {@code provided} names). */
    static final class FakeContext implements ExtensionContext {
        final Set<String> provided = new HashSet<>(Set.of("reset", "congestion", "coalesced_read"));
        final Set<String> negotiated = new HashSet<>();
        final Map<String, Integer> counts = new HashMap<>();
        final List<ByteBuffer> sent = new ArrayList<>();
        final List<ByteBuffer> ataRequests = new ArrayList<>();
        int resets;

        @Override public String exportName() { return "x"; }
        @Override public long initiator() { return HOST; }
        @Override public Set<String> negotiated() { return negotiated; }
        @Override public boolean supported(String name) { return provided.contains(name); }
        @Override public void negotiate(String name) { negotiated.add(name); }
        @Override public void resetNegotiation() { negotiated.clear(); resets++; }
        @Override public void count(String what) { counts.merge(what, 1, Integer::sum); }
        @Override public ConcurrentMap<String, Object> attributes() { return new ConcurrentHashMap<>(); }

        @Override
        public int respond(ByteBuffer request, ByteBuffer reply, int length) {
            reply.put(0, request, 0, length);
            Aoe.toResponse(reply, TARGET);
            return length;
        }

        /** A READ EXT of sector s returns s's number in every byte of it. */
        @Override
        public int ata(ByteBuffer request, ByteBuffer reply) {
            ByteBuffer copy = ByteBuffer.allocate(request.limit());
            copy.put(0, request, 0, request.limit());
            ataRequests.add(copy);
            reply.put(0, request, 0, Ata.HEADER);
            Aoe.toResponse(reply, TARGET);
            int count = Ata.sectorCount(request);
            long lba = Ata.lba(request);
            for (int s = 0; s < count; s++) {
                for (int i = 0; i < Ata.SECTOR; i++) {
                    reply.put(Ata.DATA + s * Ata.SECTOR + i, (byte) (lba + s));
                }
            }
            Ata.setStatus(reply, Ata.STATUS_DRDY);
            return Ata.HEADER + count * Ata.SECTOR;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
            copy.put(0, frame, frame.position(), frame.remaining());
            sent.add(copy);
            return true;
        }
    }

    final Negotiation x = new Negotiation();
    final FakeContext ctx = new FakeContext();

    /** A 0x23 request: the names, each followed by NUL, then one more NUL; the length field as given. */
    static ByteBuffer request(boolean bigEndian, Integer lengthOverride, int pad, String... names) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String n : names) {
            list.writeBytes(n.getBytes(StandardCharsets.US_ASCII));
            list.write(0);
        }
        list.write(0);
        if (names.length == 0) {
            list.write(0);
        }
        byte[] b = list.toByteArray();
        int len = lengthOverride == null ? b.length : lengthOverride;
        ByteBuffer f = ByteBuffer.allocate(Math.max(Aoe.MIN_FRAME, Negotiate.O_NAMES + b.length + pad));
        Aoe.putHeader(f, TARGET, HOST, 0, 0, 1, 0, Negotiation.CMD_NEGOTIATE, 0x80000007);
        f.putShort(Negotiate.O_LENGTH, bigEndian ? (short) len : Short.reverseBytes((short) len));
        f.put(Negotiate.O_NAMES, b);
        return f;
    }

    int handle(ByteBuffer req, ByteBuffer reply) {
        return x.handle(ctx, req, reply);
    }

    static List<String> names(ByteBuffer reply, int length) {
        byte[] b = new byte[length - Negotiate.O_NAMES];
        reply.get(Negotiate.O_NAMES, b);
        String s = new String(b, StandardCharsets.US_ASCII);
        int end = s.indexOf("\0\0");
        List<String> out = new ArrayList<>();
        for (String n : s.substring(0, end).split("\0")) {
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void serviceShape() {
        assertTrue(x.handles(0x23));
        assertTrue(x.handles(0x24));
        assertFalse(x.handles(0x22));
        assertFalse(x.handles(Aoe.CMD_ATA));
        assertEquals(Set.of("reset", "congestion", "coalesced_read"), x.provides());
    }

    @Test
    void acceptedNamesAreUpperCasedInPlaceOthersStay() {
        ByteBuffer req = request(true, null, 0, "reset", "congestion", "5", "coalesced_read", "crc8x4", "bogus", "Reset");
        ByteBuffer reply = ByteBuffer.allocate(2048);
        int n = handle(req, reply);
        int expect = Negotiate.O_NAMES + (req.getShort(Negotiate.O_LENGTH) & 0xffff);
        assertEquals(expect, n, "the request echoed: header, length and the names");
        assertEquals(List.of("RESET", "CONGESTION", "5", "COALESCED_READ", "crc8x4", "bogus", "Reset"), names(reply, n));
        assertTrue(Aoe.isResponse(reply));
        assertFalse(Aoe.isError(reply));
        assertEquals(0x80000007, Aoe.tag(reply));
        assertEquals(req.getShort(Negotiate.O_LENGTH), reply.getShort(Negotiate.O_LENGTH), "length echoed as sent");
        assertEquals(Set.of("congestion", "coalesced_read"), ctx.negotiated);
        assertEquals(1, ctx.counts.get("congestion"));
        // the same bytes everywhere but the accepted names
        for (int i = 0; i < Negotiate.O_NAMES; i++) {
            if (i >= 14) {
                assertEquals(i == 14 ? (byte) 0x18 : req.get(i), reply.get(i), "header byte " + i);
            }
        }
    }

    @Test
    void extensionsOfOtherBundlesAreAcceptedWhenTheExportUsesThem() {
        ctx.provided.add("crc8x4");
        ByteBuffer reply = ByteBuffer.allocate(2048);
        int n = handle(request(true, null, 0, "crc8x4", "tag_inc_le"), reply);
        assertEquals(List.of("CRC8X4", "tag_inc_le"), names(reply, n));
        assertEquals(Set.of("crc8x4"), ctx.negotiated);
    }

    @Test
    void littleEndianLengthIsAcceptedToo() {
        ByteBuffer reply = ByteBuffer.allocate(2048);
        ByteBuffer req = request(false, null, 0, "coalesced_read");
        int n = handle(req, reply);
        assertEquals(Negotiate.O_NAMES + "coalesced_read".length() + 2, n);
        assertEquals(List.of("COALESCED_READ"), names(reply, n));
        assertEquals(Short.reverseBytes((short) ("coalesced_read".length() + 2)), reply.getShort(Negotiate.O_LENGTH));
    }

    @Test
    void bigEndianWinsWhenBothReadingsArePlausible() {
        // length 0x0102 big-endian = 0x0201 little-endian; a long frame of zeroes makes both fit
        ByteBuffer req = request(true, 0x0102, 0x0300, "congestion", "1");
        assertEquals(0x0102, Negotiate.namesLength(req));
    }

    @Test
    void malformedRequestsGetNoReply() {
        ByteBuffer reply = ByteBuffer.allocate(2048);
        // length < 2 (both readings)
        assertEquals(Extension.NO_REPLY, handle(request(true, 1, 0, "reset"), reply));
        assertEquals(Extension.NO_REPLY, handle(request(true, 0, 0, "reset"), reply));
        // no double NUL inside the length
        ByteBuffer noEnd = request(true, 4, 0, "reset");
        assertEquals(Extension.NO_REPLY, handle(noEnd, reply));
        // length beyond the frame, whichever byte order
        ByteBuffer beyond = request(true, 0x4040, 0, "reset");
        assertEquals(Extension.NO_REPLY, handle(beyond, reply));
        // frame too short for the length field
        ByteBuffer tiny = ByteBuffer.allocate(25);
        Aoe.putHeader(tiny, TARGET, HOST, 0, 0, 1, 0, Negotiation.CMD_NEGOTIATE, 1);
        assertEquals(Extension.NO_REPLY, handle(tiny, reply));
        assertTrue(ctx.negotiated.isEmpty());
        assertEquals(0, ctx.resets);
        assertEquals(5, ctx.counts.get("negotiation-malformed"));
    }

    @Test
    void emptyListIsAnsweredWithNothingAccepted() {
        ByteBuffer reply = ByteBuffer.allocate(2048);
        int n = handle(request(true, null, 0), reply);
        assertEquals(Negotiate.O_NAMES + 2, n);
        assertTrue(ctx.negotiated.isEmpty());
    }

    @Test
    void resetForgetsEarlierNegotiationBeforeTheRestIsApplied() {
        ctx.negotiated.add("crc8x4");
        ByteBuffer reply = ByteBuffer.allocate(2048);
        // reset last in the list still comes first
        int n = handle(request(true, null, 0, "coalesced_read", "reset"), reply);
        assertEquals(List.of("COALESCED_READ", "RESET"), names(reply, n));
        assertEquals(1, ctx.resets);
        assertEquals(Set.of("coalesced_read"), ctx.negotiated);
        // without reset, names add up
        handle(request(true, null, 0, "congestion", "3"), reply);
        assertEquals(Set.of("coalesced_read", "congestion"), ctx.negotiated);
        assertEquals(1, ctx.resets);
    }

    @Test
    void matchingIsCaseSensitive() {
        ByteBuffer reply = ByteBuffer.allocate(2048);
        int n = handle(request(true, null, 0, "COALESCED_READ", "Congestion", "2"), reply);
        assertEquals(List.of("COALESCED_READ", "Congestion", "2"), names(reply, n));
        assertTrue(ctx.negotiated.isEmpty());
    }

    @Test
    void congestionNeedsItsNumberAndIsCountedEachTime() {
        ByteBuffer reply = ByteBuffer.allocate(2048);
        int n = handle(request(true, null, 0, "congestion"), reply);
        assertEquals(List.of("congestion"), names(reply, n), "no number: not accepted");
        n = handle(request(true, null, 0, "congestion", "x7"), reply);
        assertEquals(List.of("congestion", "x7"), names(reply, n));
        assertEquals(null, ctx.counts.get("congestion"));
        for (int i = 0; i < 3; i++) {
            n = handle(request(true, null, 0, "congestion", "100"), reply);
            assertEquals(List.of("CONGESTION", "100"), names(reply, n));
        }
        assertEquals(3, ctx.counts.get("congestion"));
        assertEquals(Set.of("congestion"), ctx.negotiated);
    }

    // ---- coalesced read ----

    static ByteBuffer coalesced(long[][] entries) {
        ByteBuffer f = ByteBuffer.allocate(Math.max(Aoe.MIN_FRAME, CoalescedRead.O_ENTRIES + entries.length * CoalescedRead.ENTRY));
        Aoe.putHeader(f, TARGET, HOST, 0, 0, 1, 0, Negotiation.CMD_COALESCED_READ, 0x80000100);
        Ata.putHeader(f, Ata.AFLAG_EXTENDED, 0, 0, Ata.CMD_READ_EXT, 0);
        f.put(CoalescedRead.O_COUNT, (byte) entries.length);
        for (int k = 0; k < entries.length; k++) {
            int at = CoalescedRead.O_ENTRIES + k * CoalescedRead.ENTRY;
            f.putInt(at, (int) entries[k][0]);
            for (int i = 0; i < 6; i++) {
                f.put(at + 4 + i, (byte) (entries[k][1] >>> (8 * i)));
            }
            f.put(at + 15, (byte) entries[k][2]);
        }
        return f;
    }

    @Test
    void coalescedReadAnswersEachEntryUnderItsOwnTag() {
        ctx.negotiated.add("coalesced_read");
        ByteBuffer reply = ByteBuffer.allocate(9000);
        long[][] entries = {{0x80000011L, 7, 2}, {0x80000012L, 0x0102030405L, 1}, {0x80000013L, 3, 0}};
        assertEquals(Extension.NO_REPLY, handle(coalesced(entries), reply));
        assertEquals(3, ctx.sent.size());
        for (int k = 0; k < 3; k++) {
            ByteBuffer q = ctx.ataRequests.get(k);
            assertEquals(Aoe.CMD_ATA, Aoe.command(q));
            assertEquals((int) entries[k][0], Aoe.tag(q));
            assertEquals(Ata.CMD_READ_EXT, Ata.command(q));
            assertEquals(Ata.AFLAG_EXTENDED, Ata.aflags(q));
            assertEquals(entries[k][1], Ata.lba(q));
            assertEquals(entries[k][2], Ata.sectorCount(q));
            assertEquals(HOST, Aoe.src(q));
            ByteBuffer r = ctx.sent.get(k);
            assertEquals((int) entries[k][0], Aoe.tag(r));
            assertEquals(Math.max(Aoe.MIN_FRAME, Ata.HEADER + (int) entries[k][2] * Ata.SECTOR), r.limit(), "padded to 60");
            if (entries[k][2] > 0) {
                assertEquals((byte) entries[k][1], r.get(Ata.DATA));
            }
        }
        assertEquals(1, ctx.counts.get("coalesced-read"));
    }

    @Test
    void coalescedReadIsAnUnknownCommandWithoutNegotiation() {
        ByteBuffer reply = ByteBuffer.allocate(9000);
        int n = handle(coalesced(new long[][] {{1, 0, 1}}), reply);
        assertEquals(Aoe.HEADER, n);
        assertTrue(Aoe.isError(reply));
        assertEquals(Aoe.ERR_BAD_COMMAND, Aoe.error(reply));
        assertTrue(ctx.sent.isEmpty());
    }

    @Test
    void malformedCoalescedReadGetsNoReply() {
        ctx.negotiated.add("coalesced_read");
        ByteBuffer reply = ByteBuffer.allocate(9000);
        ByteBuffer zero = coalesced(new long[0][]);
        assertEquals(Extension.NO_REPLY, handle(zero, reply));
        ByteBuffer lying = coalesced(new long[][] {{1, 0, 1}});
        lying.put(CoalescedRead.O_COUNT, (byte) 9);  // 9 entries do not fit in 60 bytes
        assertEquals(Extension.NO_REPLY, handle(lying, reply));
        assertTrue(ctx.sent.isEmpty());
    }
}
