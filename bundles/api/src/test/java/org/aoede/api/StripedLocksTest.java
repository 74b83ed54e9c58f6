package org.aoede.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class StripedLocksTest {
    private static final int STRIPES = 8;

    /** Ranges around the wrap-around point from several threads: no deadlock, no two holders of a unit. */
    @Test
    void rangesAcrossTheWrapNeitherDeadlockNorOverlap() throws Exception {
        StripedLocks locks = new StripedLocks(STRIPES);
        AtomicIntegerArray holders = new AtomicIntegerArray(64);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            long seed = t;
            done.add(pool.submit(() -> {
                Random r = new Random(seed);
                for (int i = 0; i < 20_000; i++) {
                    long first = STRIPES - 3 + r.nextInt(6);            // around unit 8 = stripe 0
                    int count = r.nextInt(STRIPES + 2);                 // up to more than every stripe
                    locks.lock(first, count);
                    try {
                        for (long u = first; u < first + Math.max(1, count); u++) {
                            assertEquals(1, holders.incrementAndGet((int) u), "unit " + u + " held twice");
                        }
                        for (long u = first; u < first + Math.max(1, count); u++) {
                            holders.decrementAndGet((int) u);
                        }
                    } finally {
                        locks.unlock(first, count);
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "deadlocked");
        for (Future<?> f : done) {
            f.get();
        }
    }

    /** Units a stripe apart share a lock; unlock releases exactly what lock took. */
    @Test
    void unitsAStripeApartShareALock() throws Exception {
        StripedLocks locks = new StripedLocks(STRIPES);
        locks.lock(STRIPES - 1, 2);                       // units 7 and 8: stripes 7 and 0
        Thread other = new Thread(() -> {
            locks.lock(16, 1);                            // stripe 0 again
            locks.unlock(16, 1);
        });
        other.start();
        other.join(200);
        assertTrue(other.isAlive(), "stripe 0 was free while unit 8 was held");
        locks.unlock(STRIPES - 1, 2);
        other.join(5000);
        assertTrue(!other.isAlive(), "stripe 0 stayed locked after unlock");
    }
}
