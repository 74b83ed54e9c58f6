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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.aoede.protocol.Ata;

/** Rules of requests in flight that hold whether the store is called on I/O threads or submits. */
final class InFlightRules {
    private InFlightRules() {
    }

    /** The next {@code n} requests to reach the store, by "kind@lba" (which comes first is not the test's business). */
    static Map<String, HeldStore.Held> arrive(HeldStore store, int n) throws InterruptedException {
        Map<String, HeldStore.Held> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HeldStore.Held r = store.next();
            m.put(r.toString(), r);
        }
        assertEquals(n, m.size(), "in the store: " + m.keySet());
        return m;
    }

    /** Pause waits for a write in flight, stop for a read, and the store is closed only after it. */
    static <S extends MemStore & HeldStore> void pauseAndStopWait(Harness h, S store) throws Exception {
        ByteBuffer w = Harness.write(1, 0, 1, (byte) 9);
        deliver(h, w);
        HeldStore.Held g = store.next();
        CompletableFuture<Void> paused = CompletableFuture.runAsync(h.export::pause);
        Thread.sleep(200);
        assertFalse(paused.isDone(), "pause waits for the write in flight");
        g.release();
        paused.get(5, TimeUnit.SECONDS);
        assertOk(w, reply(h, 1));
        h.export.resume(h.export.settings, store);

        ByteBuffer r = Harness.read(2, 0, 1);
        deliver(h, r);
        HeldStore.Held g2 = store.next();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(h.export::stop);
        Thread.sleep(200);
        assertFalse(stopped.isDone(), "stop waits for the read in flight");
        assertFalse(store.closed);
        g2.release();
        stopped.get(5, TimeUnit.SECONDS);
        ByteBuffer rr = reply(h, 2);
        assertOk(r, rr);
        assertEquals(9, rr.get(Ata.DATA));
        assertTrue(store.closed, "closed after the request ended");
    }

    /** A failed read is UNC, a failed write or flush ABRT; replies 1 to 3. */
    static void storeErrorsAreAtaErrors(Harness h, HeldStore store) throws Exception {
        ByteBuffer r = Harness.read(1, 0, 1);
        ByteBuffer w = Harness.write(2, 8, 1, (byte) 1);
        ByteBuffer f = flush(3);
        deliver(h, r);
        deliver(h, w);
        Map<String, HeldStore.Held> in = arrive(store, 2);
        in.get("read@0").fail(new IOException("medium error"));
        assertAtaError(r, reply(h, 1), Ata.ERROR_UNC);
        in.get("write@8").fail(new IOException("medium error"));
        assertAtaError(w, reply(h, 2), Ata.ERROR_ABRT);
        deliver(h, f);
        store.next().fail(new IOException("medium error"));
        assertAtaError(f, reply(h, 3), Ata.ERROR_ABRT);
    }

    /** Two writes to one LBA land in the order they arrived, a read sees the writes before it, others go on. */
    static <S extends MemStore & HeldStore> void overlappingRequestsKeepTheirOrder(Harness h, S store) throws Exception {
        ByteBuffer w1 = Harness.write(1, 10, 2, (byte) 1);
        ByteBuffer w2 = Harness.write(2, 11, 2, (byte) 2);   // overlaps w1 at sector 11
        ByteBuffer r3 = Harness.read(3, 11, 1);               // must see w2
        ByteBuffer w4 = Harness.write(4, 100, 1, (byte) 4);   // elsewhere: not held up
        deliver(h, w1);
        deliver(h, w2);
        deliver(h, r3);
        deliver(h, w4);
        Map<String, HeldStore.Held> in = arrive(store, 2);
        HeldStore.Held g1 = in.get("write@10");
        HeldStore.Held g4 = in.get("write@100");
        assertTrue(g1 != null && g4 != null, "a write elsewhere goes on while the overlapping ones wait: " + in.keySet());
        assertNull(store.none(200), "the second write waits for the first");
        g4.release();
        assertOk(w4, reply(h, 1));
        g1.release();
        assertOk(w1, reply(h, 2));
        HeldStore.Held g2 = store.next();
        assertEquals("write@11", g2.toString());
        assertNull(store.none(100), "the read waits for the write before it");
        g2.release();
        assertOk(w2, reply(h, 3));
        store.next().release();
        ByteBuffer r = reply(h, 4);
        assertOk(r3, r);
        assertEquals(2, r.get(Ata.DATA), "the read saw the later write");
        assertEquals(1, store.data[10 * Ata.SECTOR]);
        assertEquals(2, store.data[11 * Ata.SECTOR]);
        assertEquals(2, store.data[12 * Ata.SECTOR]);
    }

    /** A flush waits for every write received before it, not for the ones after it. */
    static <S extends MemStore & HeldStore> void aFlushWaitsForTheWritesBeforeIt(Harness h, S store) throws Exception {
        ByteBuffer w1 = Harness.write(1, 0, 1, (byte) 1);
        ByteBuffer w2 = Harness.write(2, 8, 1, (byte) 2);
        ByteBuffer f = flush(3);
        ByteBuffer w4 = Harness.write(4, 16, 1, (byte) 4);
        deliver(h, w1);
        deliver(h, w2);
        deliver(h, f);
        deliver(h, w4);
        Map<String, HeldStore.Held> in = arrive(store, 3);
        assertTrue(in.keySet().containsAll(List.of("write@0", "write@8", "write@16")),
                "a write after the flush does not wait for it: " + in.keySet());
        assertNull(store.none(150), "the flush waits for the writes received before it");
        in.get("write@16").release();
        in.get("write@0").release();
        assertNull(store.none(150), "... for all of them");
        in.get("write@8").release();
        HeldStore.Held gf = store.next();
        assertEquals("flush@-1", gf.toString());
        assertEquals(3, h.link.sent.size(), "the writes are acknowledged, the flush not yet");
        gf.release();
        assertOk(f, reply(h, 4));
        assertEquals(1, store.flushes.get());
    }
}
