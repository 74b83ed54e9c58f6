package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An asynchronous store: its calls go to the export's I/O threads, several at once; the receive
 * thread never waits; replies leave as calls complete; overlapping requests keep their order; a
 * flush waits for the writes before it; pause and stop wait; errors and time-outs are ATA errors.
 */
class AsyncStoreTest {
    static final int SECTORS = 256;

    GatedStore store = new GatedStore(SECTORS);

    Harness harness(Path dir) throws Exception {
        return new Harness(dir, 1500, false, Map.of(), store);
    }

    /** Delivers a frame as the receive thread would; returns at once (the store call is elsewhere). */
    static void deliver(Harness h, ByteBuffer f) {
        long t0 = System.nanoTime();
        h.port.onFrame(h.link, f);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "the receive thread did not wait");
    }

    /** Waits for the n-th reply (1-based) and returns it. */
    static ByteBuffer reply(Harness h, int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (h.link.sent.size() < n && System.currentTimeMillis() < end) {
            Thread.sleep(2);
        }
        assertTrue(h.link.sent.size() >= n, "expected " + n + " replies, got " + h.link.sent.size());
        return h.link.sent.get(n - 1);
    }

    static void assertOk(ByteBuffer req, ByteBuffer r) {
        Replies.assertResponseTo(req, r);
        assertFalse(Aoe.isError(r));
        assertEquals(Ata.STATUS_DRDY, Ata.status(r), "DRDY, no error");
    }

    static void assertAtaError(ByteBuffer req, ByteBuffer r, int error) {
        Replies.assertResponseTo(req, r);
        assertEquals(Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.status(r));
        assertEquals(error, Ata.errorReg(r));
    }

    /**
     * The next {@code n} calls to reach the store, by "kind@lba": among independent requests, which
     * I/O thread calls the store first is the threads' business, not the test's.
     */
    Map<String, GatedStore.Gate> arrive(int n) throws InterruptedException {
        Map<String, GatedStore.Gate> m = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            GatedStore.Gate g = store.next();
            m.put(g.toString(), g);
        }
        assertEquals(n, m.size(), "calls: " + m.keySet());
        return m;
    }

    static ByteBuffer flush(int tag) {
        return Harness.ata(Harness.HOST, tag, 0, Ata.CMD_FLUSH_EXT, 0, 0, 0);
    }

    @Test
    void repliesLeaveAsCallsCompleteInAnyOrder(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            store.data[0] = 11;
            store.data[8 * Ata.SECTOR] = 22;
            ByteBuffer a = Harness.read(1, 0, 2);
            ByteBuffer b = Harness.read(2, 8, 2);
            deliver(h, a);
            deliver(h, b);
            Map<String, GatedStore.Gate> in = arrive(2);   // both in the store at once
            GatedStore.Gate ga = in.get("read@0");
            GatedStore.Gate gb = in.get("read@8");
            assertEquals(0, h.link.sent.size());
            gb.release();
            ByteBuffer rb = reply(h, 1);
            assertOk(b, rb);
            assertEquals(22, rb.get(Ata.DATA));
            assertEquals(Ata.DATA + 2 * Ata.SECTOR, rb.limit());
            ga.release();
            ByteBuffer ra = reply(h, 2);
            assertOk(a, ra);
            assertEquals(11, ra.get(Ata.DATA));
            assertEquals(2, h.export.stats.reads.sum());
        }
    }

    @Test
    void manyRequestsAreInTheStoreAtOnce(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            for (int i = 0; i < 16; i++) {
                deliver(h, Harness.read(i, i * 4, 2));
            }
            List<GatedStore.Gate> in = new CopyOnWriteArrayList<>();
            for (int i = 0; i < AsyncIo.THREADS; i++) {
                in.add(store.next());
            }
            in.forEach(GatedStore.Gate::release);
            reply(h, 16);
        }
    }

    @Test
    void writesToOneLbaLandInTheOrderTheyArrived(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.overlappingRequestsKeepTheirOrder(h, store);
        }
    }

    @Test
    void aFlushWaitsForTheWritesBeforeItNotAfter(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.aFlushWaitsForTheWritesBeforeIt(h, store);
        }
    }

    @Test
    void pauseAndStopWaitForRequestsInProgress(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.pauseAndStopWait(h, store);
        }
    }

    @Test
    void storeErrorsAreAtaErrors(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            InFlightRules.storeErrorsAreAtaErrors(h, store);   // a gate's failure is thrown by the store call
            assertEquals(0, h.export.io.pending());
        }
    }

    @Test
    void aCallThatNeverCompletesTimesOutAndOthersAreServed(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            h.export.io.timeoutMillis(300);
            ByteBuffer stuck = Harness.write(1, 0, 1, (byte) 1);
            ByteBuffer behind = Harness.write(2, 0, 1, (byte) 2);   // same LBA: waits behind it
            deliver(h, stuck);
            deliver(h, behind);
            GatedStore.Gate g = store.next();
            for (int i = 0; i < 3 * AsyncIo.THREADS; i++) {         // more than the threads: the pool goes on
                ByteBuffer r = Harness.read(10 + i, 64 + i, 1);
                deliver(h, r);
                store.next().release();
            }
            long t0 = System.nanoTime();
            long end = System.currentTimeMillis() + 5000;
            while (errors(h) < 2 && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
            assertEquals(2, errors(h), "the stuck write and the one behind it got an ATA error");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
            for (ByteBuffer r : h.link.sent) {
                if (Aoe.tag(r) == 1) {
                    assertAtaError(stuck, r, Ata.ERROR_ABRT);
                }
            }
            ByteBuffer later = Harness.read(99, 200, 1);
            int before = h.link.sent.size();
            deliver(h, later);
            store.next().release();
            assertOk(later, reply(h, before + 1));
            g.release();                                            // it comes back after all
            assertNull(store.none(300), "the write behind it was answered already: never applied late");
            Thread.sleep(100);
            assertEquals(before + 1, h.link.sent.size(), "no second reply for the timed-out write");
            assertEquals(0, h.export.io.pending());
            assertEquals(2L, h.export.stats.snapshot().errors().get("timeout"));
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

    @Test
    void replyHooksRunOnTheCompletedReply(@TempDir Path dir) throws Exception {
        try (Harness h = harness(dir)) {
            List<String> log = new CopyOnWriteArrayList<>();
            h.export.extensions(new Extension[] {new Extension() {
                @Override
                public int afterAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply, int length) {
                    log.add(Thread.currentThread().getName() + " " + Aoe.tag(request) + " " + reply.get(Ata.DATA));
                    reply.put(length, (byte) 0x5a);
                    return length + 1;
                }
            }});
            store.data[0] = 7;
            ByteBuffer r = Harness.read(5, 0, 1);
            deliver(h, r);
            assertTrue(log.isEmpty(), "not before the data is there");
            store.next().release();
            ByteBuffer rr = reply(h, 1);
            assertOk(r, rr);
            assertEquals(Ata.DATA + Ata.SECTOR + 1, rr.limit());
            assertEquals(0x5a, rr.get(Ata.DATA + Ata.SECTOR));
            assertEquals(1, log.size());
            assertTrue(log.get(0).startsWith("aoede-io-") && log.get(0).endsWith(" 5 7"), log.get(0));
        }
    }
}
