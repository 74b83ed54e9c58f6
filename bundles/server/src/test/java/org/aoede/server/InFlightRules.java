package org.aoede.server;

import static org.aoede.server.AsyncStoreTest.assertAtaError;
import static org.aoede.server.AsyncStoreTest.assertOk;
import static org.aoede.server.AsyncStoreTest.deliver;
import static org.aoede.server.AsyncStoreTest.flush;
import static org.aoede.server.AsyncStoreTest.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
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
}
