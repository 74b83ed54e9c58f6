package org.aoede.server;

import static org.aoede.server.Replies.assertAtaError;
import static org.aoede.server.Replies.assertAtaOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.aoede.api.BlockStore;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write coalescing: the writes of one receive batch, held by the port, written run by run, acknowledged after. */
class WriteCoalescingTest {
    @TempDir
    Path dir;
    Harness h;
    Gathering store;

    /** A wrapper that asks for coalescing and records each write call as (lba, buffers). */
    static final class Gathering implements BlockStore {
        final BlockStore inner;
        final List<long[]> calls = new ArrayList<>();
        volatile boolean fail;

        Gathering(BlockStore inner) {
            this.inner = inner;
        }

        @Override
        public long sectors() {
            return inner.sectors();
        }

        @Override
        public boolean readOnly() {
            return inner.readOnly();
        }

        @Override
        public void read(long lba, ByteBuffer dst) throws IOException {
            inner.read(lba, dst);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public String describe() {
            return "gathering";
        }

        @Override
        public void close() {
        }

        @Override
        public int coalesceWritesUpTo() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void write(long lba, ByteBuffer src) throws IOException {
            write(lba, new ByteBuffer[] {src});
        }

        @Override
        public void write(long lba, ByteBuffer[] srcs) throws IOException {
            synchronized (calls) {
                calls.add(new long[] {lba, srcs.length});
            }
            if (fail) {
                throw new IOException("injected failure");
            }
            BlockStore.writeEach(inner, lba, srcs);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        h = new Harness(dir, 1500, 256, false);
        store = new Gathering(h.store);
        h.export.wrapped(store, new WrapKey(h.store, java.util.List.of()));
        h.link.batches = true;
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private final List<ByteBuffer> delivered = new ArrayList<>();

    private void deliver(ByteBuffer... frames) {
        for (ByteBuffer f : frames) {
            delivered.add(f.duplicate());
            h.port.onFrame(h.link, f);
        }
    }

    /** The request with this tag (tags are unique within a test). */
    private ByteBuffer req(ByteBuffer reply) {
        for (ByteBuffer q : delivered) {
            if (Aoe.tag(q) == Aoe.tag(reply)) {
                return q;
            }
        }
        throw new AssertionError("no request with tag " + Aoe.tag(reply));
    }

    private int tag(int i) {
        return Aoe.tag(h.link.sent.get(i));
    }

    @Test
    void contiguousWritesOfABatchGoOutTogetherAndAreAcknowledgedOnlyAfterwards() {
        h.export.nextWrite = 0;                             // a sequential stream that has reached sector 0
        deliver(Harness.write(1, 0, 2, (byte) 1), Harness.write(2, 2, 2, (byte) 2), Harness.write(3, 4, 2, (byte) 3));
        assertTrue(h.link.sent.isEmpty(), "nothing acknowledged before the batch ends");
        assertEquals(0, h.store.writes.get(), "nothing written before the batch ends");
        h.port.endOfBatch(h.link);
        assertEquals(1, store.calls.size(), "one gathering write");
        assertEquals(0, store.calls.get(0)[0]);
        assertEquals(3, store.calls.get(0)[1]);
        assertEquals(3, h.link.sent.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, tag(i), "acknowledged in arrival order");
            assertAtaOk(req(h.link.sent.get(i)), h.link.sent.get(i));
            assertEquals(i + 1, h.store.data[(i * 2) * 512]);
            assertEquals(i + 1, h.store.data[(i * 2 + 2) * 512 - 1]);
        }
        assertEquals(3, h.export.stats.writes.sum());
    }

    @Test
    void aReadInTheBatchWritesTheHeldDataFirst() {
        deliver(Harness.write(1, 8, 1, (byte) 7), Harness.read(2, 8, 1));
        assertEquals(2, h.link.sent.size(), "the write was committed and acknowledged before the read");
        assertEquals(1, tag(0));
        assertAtaOk(req(h.link.sent.get(0)), h.link.sent.get(0));
        assertEquals(2, tag(1));
        assertEquals(7, h.link.sent.get(1).get(Ata.DATA), "the read sees the write");
        h.port.endOfBatch(h.link);
        assertEquals(2, h.link.sent.size());
    }

    @Test
    void runsBreakWhereWritesAreNotContiguousAndKeepArrivalOrder() {
        h.export.nextWrite = 0;
        // 0-1, 10, 2-3 (not after 10), then 0 again: four runs, applied in arrival order
        deliver(Harness.write(1, 0, 2, (byte) 1), Harness.write(2, 10, 1, (byte) 2),
                Harness.write(3, 2, 2, (byte) 3), Harness.write(4, 0, 1, (byte) 4));
        h.port.endOfBatch(h.link);
        assertEquals(4, store.calls.size());
        assertEquals(4, h.store.data[0], "the later write to sector 0 wins");
        assertEquals(1, h.store.data[512]);
        assertEquals(3, h.store.data[2 * 512]);
        assertEquals(2, h.store.data[10 * 512]);
        assertEquals(4, h.link.sent.size());
    }

    @Test
    void aFailedGatheringWriteAnswersEachOfItsWritesWithAbrt() {
        store.fail = true;
        h.export.nextWrite = 0;
        deliver(Harness.write(1, 0, 1, (byte) 1), Harness.write(2, 1, 1, (byte) 2));
        h.port.endOfBatch(h.link);
        assertEquals(2, h.link.sent.size());
        for (ByteBuffer r : h.link.sent) {
            assertAtaError(req(r), r, Ata.ERROR_ABRT);
        }
        assertEquals(0, h.export.stats.writes.sum(), "failed writes are not counted as written");
    }

    @Test
    void badWritesAreAnsweredAtOnceAndHoldNothing() {
        h.export.nextWrite = 255;
        deliver(Harness.write(1, 255, 2, (byte) 1));            // past the end
        assertEquals(1, h.link.sent.size());
        assertAtaError(req(h.link.sent.get(0)), h.link.sent.get(0), Ata.ERROR_IDNF);
        h.port.endOfBatch(h.link);
        assertEquals(0, store.calls.size());
    }

    @Test
    void aLinkWithoutBatchesGetsItsWritesWrittenAtOnce() {
        h.link.batches = false;
        deliver(Harness.write(1, 0, 1, (byte) 5));
        assertEquals(1, h.link.sent.size());
        assertEquals(5, h.store.data[0]);
    }

    @Test
    void aPauseWaitsForHeldWritesToBeWrittenAndAcknowledged() throws Exception {
        h.export.nextWrite = 0;
        deliver(Harness.write(1, 0, 1, (byte) 9));
        Thread pauser = new Thread(h.export::pause);
        pauser.start();
        pauser.join(300);
        assertTrue(pauser.isAlive(), "the pause waits for the held write");
        h.port.endOfBatch(h.link);                          // the receive thread ends its batch
        pauser.join(5000);
        assertTrue(!pauser.isAlive(), "then the pause goes on");
        assertEquals(1, h.link.sent.size(), "acknowledged, not dropped");
        assertEquals(9, h.store.data[0]);
        h.export.resume(h.export.settings, h.store);
    }

    @Test
    void aFullBatchIsCommittedBeforeMoreIsHeld() {
        h.export.nextWrite = 0;
        for (int i = 0; i <= WriteBatch.MAX; i++) {
            deliver(Harness.write(100 + i, i, 1, (byte) 1));
        }
        assertEquals(WriteBatch.MAX, h.link.sent.size(), "the first 64 went out when the 65th came");
        h.port.endOfBatch(h.link);
        assertEquals(WriteBatch.MAX + 1, h.link.sent.size());
    }

    @Test
    void aStreamIsHeldFromItsSecondWriteOn() {
        deliver(Harness.write(1, 0, 2, (byte) 1));
        assertEquals(1, h.link.sent.size(), "the first write of a stream goes at once");
        deliver(Harness.write(2, 2, 2, (byte) 2), Harness.write(3, 4, 2, (byte) 3));
        assertEquals(1, h.link.sent.size(), "the writes continuing it are held");
        h.port.endOfBatch(h.link);
        assertEquals(2, store.calls.size());
        assertEquals(2, store.calls.get(1)[0], "one gathering write from sector 2");
        assertEquals(2, store.calls.get(1)[1]);
        assertEquals(3, h.link.sent.size());
        assertEquals(3, h.store.data[4 * 512]);
    }

    @Test
    void randomWritesAreWrittenAtOnce() {
        deliver(Harness.write(1, 10, 1, (byte) 1), Harness.write(2, 30, 2, (byte) 2), Harness.write(3, 7, 1, (byte) 3));
        assertEquals(3, h.link.sent.size(), "none held: holding would only cost a copy");
        assertEquals(3, h.store.writes.get());
        assertEquals(3, h.store.data[7 * 512]);
        h.port.endOfBatch(h.link);
        assertEquals(3, h.link.sent.size());
    }

    @Test
    void heldWritesGoFirstWhenAWriteElsewhereComes() {
        h.export.nextWrite = 40;
        deliver(Harness.write(1, 40, 1, (byte) 1), Harness.write(2, 40, 1, (byte) 2));
        // the second is not held (it does not continue at 41), so the first must reach the store first
        assertEquals(2, h.link.sent.size());
        assertEquals(1, tag(0));
        assertEquals(2, tag(1));
        assertEquals(2, h.store.data[40 * 512], "the later write wins");
    }

    @Test
    void aWriteAnExtensionMakesIsWrittenAndAnsweredAtOnce() {
        h.export.nextWrite = 0;                             // it would be held if it came from the wire
        ByteBuffer reply = ByteBuffer.allocate(2048);
        ByteBuffer req = Harness.write(1, 0, 1, (byte) 6);
        int n = h.port.call.set(h.export, null).ata(req, reply);
        assertTrue(n >= Ata.HEADER, "a reply for the extension, not one held for later: " + n);
        assertAtaOk(req, reply.duplicate().limit(n));
        assertEquals(6, h.store.data[0], "written before the call returned");
        h.port.endOfBatch(h.link);
        assertTrue(h.link.sent.isEmpty(), "the batch held nothing, sent nothing of its own");
    }
}
