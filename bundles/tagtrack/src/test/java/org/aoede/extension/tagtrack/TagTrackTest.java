package org.aoede.extension.tagtrack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.aoede.api.ExportHandle;
import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TagTrackTest {
    static final long HOST = 0x02_00_00_00_0a_01L;
    static final long SELF = 0x02_00_00_00_00_01L;
    static final long SELF2 = 0x02_00_00_00_00_02L;

    /** An initiator's context; {@link #handle} plays the export: writes go to a map, each apply counted. */
    static final class FakeContext implements ExtensionContext {
        final Set<String> negotiated = new HashSet<>();
        final Map<String, Integer> counts = new HashMap<>();
        final ConcurrentMap<String, Object> attributes = new ConcurrentHashMap<>();
        final Map<Long, Byte> disk = new HashMap<>();
        int applied;
        int ios;
        long self = SELF;
        int bufferCount = 16;

        @Override public String exportName() { return "t"; }
        @Override public long initiator() { return HOST; }
        @Override public Set<String> negotiated() { return negotiated; }
        @Override public boolean supported(String name) { return name.startsWith("tag_inc"); }
        @Override public void negotiate(String name) { negotiated.add(name); }
        @Override public void resetNegotiation() { negotiated.clear(); attributes.clear(); }
        @Override public void count(String what) { counts.merge(what, 1, Integer::sum); }
        @Override public ConcurrentMap<String, Object> attributes() { return attributes; }
        @Override public boolean send(ByteBuffer frame) { return false; }
        @Override public int bufferCount() { return bufferCount; }

        @Override
        public int respond(ByteBuffer request, ByteBuffer reply, int length) {
            reply.put(0, request, 0, length);
            Aoe.toResponse(reply, self);
            return length;
        }

        @Override
        public int ata(ByteBuffer request, ByteBuffer reply) {
            ios++;
            int n = respond(request, reply, Ata.HEADER);
            long lba = Ata.lba(request);
            if ((Ata.aflags(request) & Ata.AFLAG_WRITE) != 0) {
                applied++;
                disk.put(lba, request.get(Ata.DATA));
            } else {
                reply.put(Ata.DATA, disk.getOrDefault(lba, (byte) 0));
                n = Ata.DATA + 512;
            }
            Ata.setStatus(reply, Ata.STATUS_DRDY);
            return n;
        }

        int counted(String what) {
            return counts.getOrDefault(what, 0);
        }
    }

    final TagTrack x = new TagTrack();
    final FakeContext ctx = new FakeContext();
    final ByteBuffer reply = ByteBuffer.allocate(65536);

    /** A request whose tag field carries {@code counter} in the negotiated byte order. */
    static ByteBuffer request(boolean le, int counter, boolean write, long lba, int value) {
        ByteBuffer f = ByteBuffer.allocate(Ata.DATA + (write ? 512 : 0) + 4);
        int tag = le ? Integer.reverseBytes(counter) : counter;
        Aoe.putHeader(f, SELF, HOST, 0, 0, 7, 3, Aoe.CMD_ATA, tag);
        Ata.putHeader(f, Ata.AFLAG_EXTENDED | (write ? Ata.AFLAG_WRITE : 0), 0, 1,
                write ? Ata.CMD_WRITE_EXT : Ata.CMD_READ_EXT, lba);
        if (write) {
            for (int i = 0; i < 512; i++) {
                f.put(Ata.DATA + i, (byte) value);
            }
        }
        return f;
    }

    /** The export's path: before hooks, the I/O, after hooks (as Export.ataExtended). */
    int handle(ByteBuffer req) {
        reply.clear();
        int r = x.beforeAta(ctx, req, reply);
        if (r != Extension.PASS) {
            return r;
        }
        int n = ctx.ata(req, reply);
        return x.afterAta(ctx, req, reply, n);
    }

    byte[] replyBytes(int n) {
        byte[] b = new byte[n];
        reply.get(0, b);
        return b;
    }

    @Test
    void providesBothByteOrdersNotRandom() {
        assertEquals(Set.of("tag_inc_le", "tag_inc_be"), x.provides());
    }

    @Test
    void windowFollowsTheBufferCount() {
        assertEquals(16, TagTrack.windowSize(1));
        assertEquals(64, TagTrack.windowSize(64));
        assertEquals(128, TagTrack.windowSize(65));
        assertEquals(1024, TagTrack.windowSize(1024));
        assertEquals(1024, TagTrack.windowSize(5000));
    }

    @Test
    void notNegotiatedIsUntouched() {
        ByteBuffer w = request(false, 5, true, 10, 1);
        handle(w);
        handle(w);
        assertEquals(2, ctx.applied, "every repeat applied, as without the extension");
        assertNull(ctx.attributes.get(TagTrack.KEY));
        assertEquals(Map.of(), ctx.counts);
        ctx.negotiated.add(TagTrack.LE);
        ctx.negotiated.add(TagTrack.BE);       // both: ambiguous, not tracked
        handle(w);
        handle(w);
        assertEquals(4, ctx.applied);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void repeatedReadIsReplayedWithoutIo(boolean le) {
        ctx.negotiated.add(le ? TagTrack.LE : TagTrack.BE);
        handle(request(le, 1, true, 20, 7));
        ByteBuffer r = request(le, 2, false, 20, 0);
        int n = handle(r);
        byte[] first = replyBytes(n);
        assertEquals(7, first[Ata.DATA]);
        int ios = ctx.ios;
        ctx.self = SELF2;                        // the repeat came in on another interface
        int m = handle(r);
        assertEquals(n, m);
        byte[] again = replyBytes(m);
        assertEquals(ios, ctx.ios, "answered from the replay cache");
        assertEquals(1, ctx.counted(TagTrack.REPLAY));
        assertEquals(SELF2, Aoe.src(reply), "sent from the interface it came in on");
        assertArrayEquals(java.util.Arrays.copyOfRange(first, Aoe.ETH_HEADER, n),
                java.util.Arrays.copyOfRange(again, Aoe.ETH_HEADER, n));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void repeatedWriteIsAcknowledgedNotAppliedAgain(boolean le) {
        ctx.negotiated.add(le ? TagTrack.LE : TagTrack.BE);
        ByteBuffer w = request(le, 100, true, 30, 1);
        int n = handle(w);
        handle(request(le, 101, true, 30, 2));   // a later write to the same sector
        assertEquals(2, ctx.applied);
        assertEquals(n, handle(w));              // the duplicate of the first one
        assertEquals(2, ctx.applied, "acknowledged from the cache, not applied again");
        assertEquals((byte) 2, ctx.disk.get(30L), "the later write stays");
        assertEquals(1, ctx.counted(TagTrack.REPLAY_WRITE));
        assertEquals(Ata.STATUS_DRDY, Ata.status(reply));
        assertEquals(le ? Integer.reverseBytes(100) : 100, Aoe.tag(reply));
    }

    /**
     * Issue 11: a duplicate 50 ms late at 60,000 requests/s is 3,000 tags old. It must be
     * acknowledged, never applied over the newer write that landed meanwhile.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void lateDuplicateOfAnOldWriteIsNotAppliedOverNewerData(boolean le) {
        ctx.negotiated.add(le ? TagTrack.LE : TagTrack.BE);
        ByteBuffer old = request(le, 1, true, 30, 1);
        handle(old);
        handle(request(le, 2, true, 30, 2));     // the initiator's next generation of that sector
        for (int t = 3; t < 3003; t++) {          // thousands of tags later (the window is 16 here)
            handle(request(le, t, t % 2 == 0, 1000 + t, t));
        }
        int applied = ctx.applied;
        int n = handle(old);                      // the late copy of the first write
        assertEquals(applied, ctx.applied, "the late duplicate must not be applied again");
        assertEquals((byte) 2, ctx.disk.get(30L), "the newer write stays");
        assertEquals(Ata.HEADER, n, "acknowledged: the header, no data");
        assertEquals(Ata.STATUS_DRDY, Ata.status(reply));
        assertEquals(le ? Integer.reverseBytes(1) : 1, Aoe.tag(reply));
    }

    @Test
    void reorderedTagsInsideTheWindowAreHandledOnce() {
        ctx.negotiated.add(TagTrack.BE);
        int[] order = {10, 12, 11, 14, 13, 15};
        for (int t : order) {
            handle(request(false, t, true, t, t));
        }
        assertEquals(6, ctx.applied, "late but unseen tags are applied");
        for (int t : order) {
            handle(request(false, t, true, t, t));
        }
        assertEquals(6, ctx.applied, "and their repeats are not");
        assertEquals(6, ctx.counted(TagTrack.REPLAY_WRITE));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void beyondTheReplayCacheWritesAreAcknowledgedAndReadsDoneAgain(boolean le) {
        ctx.negotiated.add(le ? TagTrack.LE : TagTrack.BE);
        ByteBuffer old = request(le, 1000, true, 1, 9);
        ByteBuffer read = request(le, 1001, false, 1, 0);
        handle(old);
        handle(read);
        for (int t = 1002; t <= 1001 + 16; t++) {   // replay cache 16: tag 1001 slides out at 1017
            handle(request(le, t, false, t, 0));
        }
        int ios = ctx.ios;
        assertEquals(Ata.HEADER, handle(old));
        assertEquals(1, ctx.applied, "acknowledged from the history, not applied again");
        assertEquals(1, ctx.counted(TagTrack.ACK_WRITE));
        assertEquals(Ata.STATUS_DRDY, Ata.status(reply));
        assertEquals(0, Ata.errorReg(reply));
        assertEquals(1L, Ata.lba(reply), "the request's ATA header echoed");
        assertEquals(SELF, Aoe.src(reply));
        int n = handle(read);
        assertEquals(Ata.DATA + 512, n);
        assertEquals(9, reply.get(Ata.DATA), "a read beyond the replay cache is done again");
        assertEquals(ios + 1, ctx.ios);
        assertEquals(1, ctx.counted(TagTrack.READ_AGAIN));
        assertEquals(0, ctx.counted(TagTrack.REPLAY));
        handle(request(le, 1002, false, 1002, 0));  // just inside the replay cache: replayed
        assertEquals(1, ctx.counted(TagTrack.REPLAY));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void olderThanTheHistoryWritesAreDroppedReadsServed(boolean le) {
        ctx.negotiated.add(le ? TagTrack.LE : TagTrack.BE);
        ByteBuffer w = request(le, 5, true, 3, 1);
        handle(w);
        handle(request(le, 5 + TagTrack.DEFAULT_HISTORY, false, 3, 0));  // the history moves past tag 5
        assertEquals(Extension.NO_REPLY, handle(w), "ambiguous: neither applied nor acknowledged");
        assertEquals(1, ctx.applied);
        assertEquals(1, ctx.counted(TagTrack.TOO_OLD));
        assertEquals(Ata.DATA + 512, handle(request(le, 4, false, 3, 0)), "a read that old is served");
        assertEquals(2, ctx.counted(TagTrack.TOO_OLD));
        ByteBuffer w3 = request(le, 8 + TagTrack.DEFAULT_HISTORY, true, 5, 1);
        handle(w3);
        handle(request(le, 8 + 2 * TagTrack.DEFAULT_HISTORY - 1, false, 3, 0));
        assertEquals(Ata.HEADER, handle(w3), "the oldest tag of the history is still remembered");
        assertEquals(2, ctx.applied);
    }

    @Test
    void aWriteThatFailedIsNeverAppliedLate() {
        ctx.negotiated.add(TagTrack.BE);
        ByteBuffer w = request(false, 1, true, 7, 1);
        reply.clear();
        assertEquals(Extension.PASS, x.beforeAta(ctx, w, reply));
        int n = ctx.respond(w, reply, Ata.HEADER);
        Ata.setStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR);   // the store failed it
        Ata.setErrorReg(reply, Ata.ERROR_ABRT);
        x.afterAta(ctx, w, reply, n);
        handle(w);
        assertEquals(Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.status(reply), "inside the replay cache: its error again");
        for (int t = 2; t < 100; t++) {
            handle(request(false, t, false, t, 0));
        }
        assertEquals(Extension.NO_REPLY, handle(w), "beyond it: no reply, and not applied");
        assertEquals(0, ctx.applied);
        assertEquals(1, ctx.counted(TagTrack.DROPPED));
    }

    @Test
    void historyAcrossTheWrapAround() {
        ctx.negotiated.add(TagTrack.LE);
        ByteBuffer w = request(true, -10, true, 8, 1);     // 0xfffffff6
        handle(w);
        handle(request(true, -9, true, 8, 2));
        for (int t = -8; t < 3000; t++) {
            handle(request(true, t, false, 9, 0));
        }
        assertEquals(Ata.HEADER, handle(w));
        assertEquals(2, ctx.applied);
        assertEquals((byte) 2, ctx.disk.get(8L));
        assertEquals(0, ctx.counted(TagTrack.TOO_OLD));
    }

    @Test
    void historySizeFromTheSettings() {
        assertEquals(32768, TagTrack.historySize("e", null));
        assertEquals(32768, TagTrack.historySize("e", "lots"));
        assertEquals(1024, TagTrack.historySize("e", "5"));
        assertEquals(65536, TagTrack.historySize("e", " 40000 "));
        assertEquals(1 << 20, TagTrack.historySize("e", "99999999999"));
        assertEquals(1024, TagTrack.historySize("e", "-1"));
        x.wrap(new ExportHandle() {
            @Override
            public String name() {
                return "t";
            }

            @Override
            public void require(boolean required) {
                throw new UnsupportedOperationException();
            }
        }, Map.of("history", "4096"), null);
        ctx.negotiated.add(TagTrack.BE);
        ByteBuffer w = request(false, 1, true, 3, 1);
        handle(w);
        handle(request(false, 1 + 4096, false, 3, 0));
        assertEquals(Extension.NO_REPLY, handle(w), "older than the export's history");
        assertEquals(4096, ((TagTrack.Window) ctx.attributes.get(TagTrack.KEY)).history);
    }

    @Test
    void twoInitiatorsWithTheSameTagsAreTrackedApart() {
        FakeContext other = new FakeContext();
        ctx.negotiated.add(TagTrack.LE);
        other.negotiated.add(TagTrack.LE);
        ByteBuffer a = request(true, 1, true, 100, 1);
        ByteBuffer b = request(true, 1, true, 200, 1);     // the same tag from the other MAC
        handle(a);
        reply.clear();
        assertEquals(Extension.PASS, x.beforeAta(other, b, reply));
        assertEquals(1, ctx.applied);
        assertEquals(0, other.counted(TagTrack.CONFLICT));
    }

    @Test
    void slidingAcrossTheWrapAround() {
        ctx.negotiated.add(TagTrack.BE);
        for (int t = -5; t <= 5; t++) {           // 0xfffffffb .. 5
            handle(request(false, t, true, t & 0xff, 1));
        }
        handle(request(false, -1, true, 0xff, 1));
        assertEquals(11, ctx.applied);
        assertEquals(1, ctx.counted(TagTrack.REPLAY_WRITE));
        assertEquals(0, ctx.counted(TagTrack.TOO_OLD));
    }

    @Test
    void sameTagOtherRequestIsNew() {
        ctx.negotiated.add(TagTrack.BE);
        handle(request(false, 7, true, 40, 1));
        handle(request(false, 7, true, 40, 2));  // an initiator restarted without reset, say
        assertEquals(2, ctx.applied);
        assertEquals((byte) 2, ctx.disk.get(40L));
        assertEquals(1, ctx.counted(TagTrack.CONFLICT));
    }

    @Test
    void repeatWhileTheOriginalIsInFlightIsNotAnswered() {
        ctx.negotiated.add(TagTrack.BE);
        ByteBuffer w = request(false, 3, true, 50, 1);
        assertEquals(Extension.PASS, x.beforeAta(ctx, w, reply));   // the original, I/O not done yet
        assertEquals(Extension.NO_REPLY, x.beforeAta(ctx, w, reply));
        assertEquals(1, ctx.counted(TagTrack.IN_FLIGHT));
        assertEquals(0, ctx.applied);
    }

    @Test
    void stateLivesInTheAttributesAndResetForgetsIt() {
        ctx.negotiated.add(TagTrack.BE);
        ByteBuffer w = request(false, 3, true, 50, 1);
        handle(w);
        Object win = ctx.attributes.get(TagTrack.KEY);
        handle(request(false, 4, true, 51, 1));
        assertSame(win, ctx.attributes.get(TagTrack.KEY));
        ctx.resetNegotiation();
        ctx.negotiated.add(TagTrack.BE);
        handle(w);
        assertEquals(3, ctx.applied, "after a reset nothing is remembered: applied");
        ctx.bufferCount = 200;                   // a new window size starts over
        handle(w);
        assertEquals(4, ctx.applied);
    }
}
