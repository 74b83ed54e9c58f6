package org.aoede.server;

import static org.aoede.server.AsyncStoreTest.assertAtaError;
import static org.aoede.server.AsyncStoreTest.assertOk;
import static org.aoede.server.AsyncStoreTest.deliver;
import static org.aoede.server.AsyncStoreTest.flush;
import static org.aoede.server.AsyncStoreTest.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that submits (Linux AIO, librbd aio): requests go to {@code submit} without the I/O
 * threads, many at once; replies leave as the store completes them, in any order; overlapping
 * requests keep their order; a flush waits for the writes before it; pause and stop wait; errors
 * and time-outs are ATA errors, and a completion after a time-out sends nothing.
 */
class SubmittingStoreTest {
    static final int SECTORS = 256;

    SubmittingStore store = new SubmittingStore(SECTORS);

    Harness harness(Path dir) throws Exception {
        return new Harness(dir, 1500, false, Map.of(), store);
    }

    Map<String, SubmittingStore.Pending> arrive(int n) throws InterruptedException {
        Map<String, SubmittingStore.Pending> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            SubmittingStore.Pending p = store.next();
            m.put(p.toString(), p);
        }
        assertEquals(n, m.size(), "submitted: " + m.keySet());
        return m;
    }

    @Test
    void manyInFlightAndRepliesInCompletionOrder(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            int n = 3 * AsyncIo.THREADS;                    // more than any thread pool would take
            List<ByteBuffer> reqs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                store.data[i * 2 * Ata.SECTOR] = (byte) (i + 1);
                ByteBuffer r = Harness.read(i + 1, i * 2, 2);
                reqs.add(r);
                deliver(h, r);
            }
            List<SubmittingStore.Pending> in = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                in.add(store.next());                       // all in the store, none completed
            }
            assertEquals(0, h.link.sent.size());
            assertEquals(n, h.export.inFlight.get());
            for (int i = n - 1; i >= 0; i--) {              // completed backwards
                in.get(i).release();
                ByteBuffer rr = reply(h, n - i);
                assertOk(reqs.get(i), rr);
                assertEquals(i + 1, rr.get(Ata.DATA));
                assertEquals(Ata.DATA + 2 * Ata.SECTOR, rr.limit());
            }
            assertEquals(n, h.export.stats.reads.sum());
            assertEquals(0, h.export.io.pending());
            assertEquals(0, h.export.inFlight.get());
        }
    }

    @Test
    void requestsOfAReceiveBatchAreBatchedAndTheStoreHearsTheBatchEnd(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            h.link.batches = true;
            ByteBuffer w1 = Harness.write(1, 10, 2, (byte) 1);
            ByteBuffer r2 = Harness.read(2, 40, 2);
            ByteBuffer w3 = Harness.write(3, 11, 1, (byte) 3);     // overlaps w1: waits, started by w1's completion
            deliver(h, w1);
            deliver(h, r2);
            deliver(h, w3);
            Map<String, SubmittingStore.Pending> in = arrive(2);
            assertTrue(in.get("write@10").batched && in.get("read@40").batched, "held for the batch end");
            assertTrue(store.batchEnds.isEmpty(), "not before the batch ends");
            h.port.endOfBatch(h.link);
            assertEquals(Thread.currentThread().getName(), store.batchEnds.poll(), "on the receive thread");
            assertTrue(store.batchEnds.isEmpty(), "once per batch, however many requests");
            h.port.endOfBatch(h.link);
            assertTrue(store.batchEnds.isEmpty(), "a batch with no request: nothing");
            in.get("write@10").release();
            assertOk(w1, reply(h, 1));
            SubmittingStore.Pending p3 = store.next();
            assertEquals("write@11", p3.toString());
            assertFalse(p3.batched, "started from a completion: at once, no batch end follows");
            p3.release();
            in.get("read@40").release();
            reply(h, 3);
            assertEquals(0, h.export.inFlight.get());

            h.link.batches = false;                                 // a link without batch ends
            deliver(h, Harness.read(4, 60, 1));
            assertFalse(store.next().batched);
        }
    }

    @Test
    void overlappingRequestsAreSubmittedInTheOrderTheyArrived(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.overlappingRequestsKeepTheirOrder(h, store);
        }
    }

    @Test
    void aFlushIsSubmittedAfterTheWritesBeforeIt(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.aFlushWaitsForTheWritesBeforeIt(h, store);
        }
    }

    @Test
    void pauseAndStopWaitForRequestsInFlight(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.pauseAndStopWait(h, store);
        }
    }

    @Test
    void storeErrorsAreAtaErrors(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.storeErrorsAreAtaErrors(h, store);
            // a store that completes with an error inside submit (on the receive thread)
            store.refuse = new IOException("cannot start");
            ByteBuffer r2 = Harness.read(4, 16, 1);
            deliver(h, r2);
            assertAtaError(r2, reply(h, 4), Ata.ERROR_UNC);
            assertEquals(0, h.export.io.pending());
            assertEquals(0, h.export.inFlight.get());
            assertEquals(4L, h.export.stats.snapshot().errors().get("io"));
        }
    }

    @Test
    void aRequestNeverCompletedTimesOutAndALateCompletionSendsNothing(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            h.export.io.timeoutMillis(300);
            ByteBuffer stuck = Harness.write(1, 0, 1, (byte) 1);
            ByteBuffer behind = Harness.write(2, 0, 1, (byte) 2);   // same LBA: waits behind it
            deliver(h, stuck);
            deliver(h, behind);
            SubmittingStore.Pending p = store.next();
            for (int i = 0; i < 3 * AsyncIo.THREADS; i++) {         // the export goes on serving the others
                ByteBuffer r = Harness.read(10 + i, 64 + i, 1);
                deliver(h, r);
                store.next().release();
            }
            long end = System.currentTimeMillis() + 5000;
            while (errors(h) < 2 && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
            assertEquals(2, errors(h), "the stuck write and the one behind it got an ATA error");
            for (ByteBuffer r : h.link.sent) {
                if (Aoe.tag(r) == 1) {
                    assertAtaError(stuck, r, Ata.ERROR_ABRT);
                }
            }
            assertEquals(0, h.export.inFlight.get(), "answered: pause and stop no longer wait for them");
            assertEquals(1, h.export.io.pending(), "the stuck write keeps its slot until the store lets go");
            int before = h.link.sent.size();
            p.release();                                            // it comes back after all
            assertNull(store.none(300), "the write behind it was answered already: never submitted late");
            assertEquals(before, h.link.sent.size(), "no second reply for the timed-out write");
            assertEquals(0, h.export.io.pending());
            assertEquals(0, h.export.inFlight.get());
            // the slot is reused correctly
            ByteBuffer again = Harness.read(99, 0, 1);
            deliver(h, again);
            store.next().release();
            ByteBuffer ra = reply(h, before + 1);
            assertOk(again, ra);
            assertEquals(1, ra.get(Ata.DATA));
            assertEquals(2L, h.export.stats.snapshot().errors().get("timeout"));
        }
    }

    @Test
    void theReplyIsMadeOnTheCompletingThreadWithItsHooks(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
            h.export.extensions(new org.aoede.api.Extension[] {new org.aoede.api.Extension() {
                @Override
                public int afterAta(org.aoede.api.ExtensionContext ctx, ByteBuffer request, ByteBuffer reply, int length) {
                    log.add(Thread.currentThread().getName() + " " + Aoe.tag(request) + " " + reply.get(Ata.DATA));
                    return length;
                }
            }});
            store.data[0] = 7;
            ByteBuffer r = Harness.read(5, 0, 1);
            deliver(h, r);
            store.next().release();
            assertOk(r, reply(h, 1));
            assertEquals(List.of("test-completion 5 7"), log, "no I/O thread in between");
        }
    }

    private static int errors(Harness h) {
        int n = 0;
        for (ByteBuffer r : h.link.sent) {
            if ((Ata.status(r) & Ata.STATUS_ERR) != 0) {
                n++;
            }
        }
        return n;
    }
}
