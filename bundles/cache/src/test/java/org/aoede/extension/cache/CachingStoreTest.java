package org.aoede.extension.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import org.aoede.api.BlockStore;
import org.aoede.api.ExportHandle;
import org.aoede.api.MemStore;
import org.junit.jupiter.api.Test;

class CachingStoreTest {
    /** The export the cache extension wraps in these tests; nothing requires the cache. */
    static final ExportHandle EXPORT = new ExportHandle() {
        @Override
        public String name() {
            return "e";
        }

        @Override
        public void require(boolean required) {
            throw new UnsupportedOperationException();
        }
    };

    static final int B = CachingStore.BLOCK;
    static final int BS = CachingStore.BLOCK_SECTORS;

    static byte[] read(BlockStore s, long lba, int sectors) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(sectors * 512 + 16);
        b.position(7).limit(7 + sectors * 512);           // not at index 0, as in a reply frame
        s.read(lba, b);
        assertEquals(b.limit(), b.position());
        return Arrays.copyOfRange(b.array(), 7, 7 + sectors * 512);
    }

    static void write(BlockStore s, long lba, byte[] d) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(d.length + 10);
        b.position(3);
        b.put(d);
        b.flip().position(3);
        s.write(lba, b);
    }

    static byte[] fill(int sectors, int v) {
        byte[] d = new byte[sectors * 512];
        Arrays.fill(d, (byte) v);
        return d;
    }

    static MemStore mem(int sectors) {
        MemStore m = new MemStore(sectors);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (byte) (i * 31 + i / 512);
        }
        return m;
    }

    @Test
    void missThenHitAndPartialBlocks() throws Exception {
        MemStore m = mem(1024);
        CachingStore c = new CachingStore(m, 64 * B, 0, new Budget(1 << 30));
        assertArrayEquals(Arrays.copyOfRange(m.data, 3 * 512, 13 * 512), read(c, 3, 10));
        assertEquals(1, m.reads.get());                   // blocks 0 and 1 in one call
        assertArrayEquals(Arrays.copyOfRange(m.data, 5 * 512, 16 * 512), read(c, 5, 11));
        assertEquals(1, m.reads.get());
        assertEquals(2 + 2, c.hits.sum() + c.misses.sum());
        assertEquals(2, c.misses.sum());
    }

    @Test
    void leastRecentlyUsedBlockIsEvicted() throws Exception {
        MemStore m = mem(1024);
        CachingStore c = new CachingStore(m, 2 * B, 0, new Budget(1 << 30));
        read(c, 0, 1);           // block 0
        read(c, 100 * BS, 1);    // block 100
        read(c, 0, 1);           // block 0 used again
        read(c, 50 * BS, 1);     // block 50 evicts block 100, the least recently used
        assertEquals(3, m.reads.get());
        read(c, 0, 1);
        read(c, 50 * BS, 1);
        assertEquals(3, m.reads.get());
        read(c, 100 * BS, 1);
        assertEquals(4, m.reads.get());
        assertEquals(2L * B, c.cachedBytes());
    }

    @Test
    void sequentialReadsAreReadAhead() throws Exception {
        MemStore m = mem(8192);
        CachingStore c = new CachingStore(m, 1 << 20, 64 << 10, new Budget(1 << 30));
        int requests = 0;
        for (long lba = 0; lba < 4096; lba += 2) {
            assertArrayEquals(Arrays.copyOfRange(m.data, (int) lba * 512, (int) (lba + 2) * 512), read(c, lba, 2));
            requests++;
        }
        assertTrue(m.reads.get() < requests / 20, "store calls " + m.reads.get() + " for " + requests + " requests");
        assertTrue(c.readAheadHits.sum() > 0);
        // random reads do not read ahead
        CachingStore r = new CachingStore(m, 1 << 20, 64 << 10, new Budget(1 << 30));
        read(r, 5000, 2);
        read(r, 100, 2);
        assertEquals(0, r.readAheadBlocksRead.sum());
    }

    @Test
    void readAheadStopsAtTheEnd() throws Exception {
        MemStore m = mem(100);
        CachingStore c = new CachingStore(m, 1 << 20, 64 << 10, new Budget(1 << 30));
        for (long lba = 0; lba < 100; lba += 2) {
            assertArrayEquals(Arrays.copyOfRange(m.data, (int) lba * 512, (int) (lba + 2) * 512), read(c, lba, 2));
        }
        assertArrayEquals(Arrays.copyOfRange(m.data, 90 * 512, 100 * 512), read(c, 90, 10));
    }

    @Test
    void writesGoThroughAndReadsSeeThem() throws Exception {
        MemStore m = mem(1024);
        CachingStore c = new CachingStore(m, 64 * B, 0, new Budget(1 << 30));
        read(c, 0, 16);                                   // blocks 0 and 1 cached
        write(c, 6, fill(4, 0x55));                       // across the two blocks
        assertEquals(1, m.writes.get());
        assertArrayEquals(fill(4, 0x55), Arrays.copyOfRange(m.data, 6 * 512, 10 * 512), "in the store on return");
        byte[] r = read(c, 0, 16);
        assertArrayEquals(Arrays.copyOfRange(m.data, 0, 16 * 512), r);
        assertArrayEquals(fill(4, 0x55), Arrays.copyOfRange(r, 6 * 512, 10 * 512));
        assertEquals(1, m.reads.get(), "served from the updated cache");
        write(c, 500, fill(1, 1));                        // not cached: only the store
        assertArrayEquals(fill(1, 1), read(c, 500, 1));
    }

    @Test
    void flushForcesAndCountsPendingBytes() throws Exception {
        MemStore m = mem(64);
        CachingStore c = new CachingStore(m, 64 * B, 0, new Budget(1 << 30));
        write(c, 0, fill(2, 1));
        write(c, 10, fill(3, 2));
        assertEquals(5 * 512L, c.statistics().get("cache-bytes-pending-force"));
        c.flush();
        assertEquals(1, m.flushes.get());
        assertEquals(0L, c.statistics().get("cache-bytes-pending-force"));
    }

    @Test
    void globalCapIsShared() throws Exception {
        MemStore m = mem(1024);
        Budget budget = new Budget(3L * B);
        CachingStore a = new CachingStore(m, 64 * B, 0, budget);
        CachingStore b = new CachingStore(m, 64 * B, 0, budget);
        for (int i = 0; i < 10; i++) {
            read(a, i * BS, 1);
        }
        assertEquals(3L * B, budget.used());
        read(b, 0, 1);                                    // no room left: not cached, still answered
        assertEquals(0, b.cachedBytes());
        a.close();                                        // releases its share
        assertEquals(0, budget.used());
        assertFalse(m.closed, "closing the cache leaves the store open");
        read(b, 0, 1);
        assertEquals((long) B, budget.used());
    }

    @Test
    void concurrentReadersAndWritersNeverSeeStaleData() throws Exception {
        MemStore m = mem(256);
        CachingStore c = new CachingStore(m, 8 * B, 16 * B, new Budget(1 << 30));
        int writers = 4;
        int rounds = 3000;
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int me = w;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    for (int i = 1; i <= rounds; i++) {
                        // each writer owns sector (k * writers + me): blocks are shared, sectors not
                        int k = i % 32;
                        long lba = (long) k * writers + me;
                        byte[] d = fill(1, i * 7 + me);
                        write(c, lba, d);
                        if (!Arrays.equals(d, read(c, lba, 1))) {
                            failures.add("writer " + me + " round " + i + " read stale data at " + lba);
                            return;
                        }
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }));
        }
        for (int r = 0; r < 3; r++) {
            int seed = r;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    java.util.Random rnd = new java.util.Random(seed);
                    for (int i = 0; i < rounds * 2; i++) {
                        long lba = rnd.nextInt(250);
                        read(c, lba, 1 + rnd.nextInt(6));
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertTrue(failures.isEmpty(), failures.toString());
        // and the cache agrees with the store everywhere
        for (long lba = 0; lba < 256; lba += 8) {
            assertArrayEquals(Arrays.copyOfRange(m.data, (int) lba * 512, (int) (lba + 8) * 512), read(c, lba, 8));
        }
    }

    @Test
    void extensionWrapsPerSettings() throws Exception {
        CacheExtension x = new CacheExtension();
        x.activate(Map.of("max-total", "8M"));
        MemStore m = mem(64);
        BlockStore w = x.wrap(EXPORT, Map.of(), m);
        assertInstanceOf(CachingStore.class, w);
        BlockStore slow = x.wrap(EXPORT, Map.of("size", "0", "coalesce", "false", "test-latency-us", "100"), m);
        assertInstanceOf(LatencyStore.class, slow);
        long t0 = System.nanoTime();
        read(slow, 0, 1);
        assertTrue(System.nanoTime() - t0 >= 100_000);
        assertSame(m, x.wrap(EXPORT, Map.of("size", "0", "coalesce", "false"), m));
        BlockStore coalesceOnly = x.wrap(EXPORT, Map.of("size", "0"), m);
        assertTrue(coalesceOnly.coalesceWritesUpTo() > 0, "size 0 still coalesces writes unless coalesce = false");
        assertEquals(0, x.wrap(EXPORT, Map.of("coalesce", "false"), m).coalesceWritesUpTo());
        assertThrows(IllegalArgumentException.class, () -> x.wrap(EXPORT, Map.of("coalesce", "maybe"), m));
        assertEquals(8L << 20, x.budget().max());
        CacheExtension typo = new CacheExtension();
        typo.activate(Map.of("max-total", "8 MB please"));
        assertEquals(CacheExtension.DEFAULT_MAX_TOTAL, typo.budget().max(), "a bad cap keeps the default");
        assertThrows(IllegalArgumentException.class, () -> x.wrap(EXPORT, Map.of("size", "lots"), m));
        w.close();
        slow.close();
        assertFalse(m.closed);
    }

    @Test
    void aGatheringWriteGoesDownInOneCallAndKeepsTheCacheCoherent() throws Exception {
        MemStore m = mem(256);
        java.util.concurrent.atomic.AtomicInteger gathered = new java.util.concurrent.atomic.AtomicInteger();
        BlockStore counting = new BlockStore() {
            public long sectors() { return m.sectors(); }
            public boolean readOnly() { return false; }
            public void read(long lba, ByteBuffer dst) throws java.io.IOException { m.read(lba, dst); }
            public void write(long lba, ByteBuffer src) throws java.io.IOException { m.write(lba, src); }
            public void write(long lba, ByteBuffer[] srcs) throws java.io.IOException {
                gathered.incrementAndGet();
                BlockStore.super.write(lba, srcs);
            }
            public void flush() { }
            public String describe() { return "counting"; }
            public void close() { }
        };
        CachingStore c = new CachingStore(counting, 1 << 20, 0, new Budget(1 << 20));
        read(c, 0, 16);                                     // blocks 0 and 1 cached
        ByteBuffer a = ByteBuffer.allocateDirect(6 * 512);
        ByteBuffer b = ByteBuffer.allocateDirect(6 * 512);
        for (int i = 0; i < a.capacity(); i++) {
            a.put(i, (byte) 1);
            b.put(i, (byte) 2);
        }
        c.write(4, new ByteBuffer[] {a, b});                // sectors 4-9 and 10-15, over both blocks
        assertEquals(1, gathered.get(), "one call to the store below");
        long hits = c.hits.sum();
        byte[] back = read(c, 0, 16);
        assertEquals(hits + 2, c.hits.sum(), "served from the updated cache");
        assertArrayEquals(Arrays.copyOfRange(m.data, 0, 16 * 512), back);
        assertEquals(0, back[0]);
        assertEquals(1, back[4 * 512]);
        assertEquals(2, back[10 * 512]);
        assertEquals(2, back[16 * 512 - 1]);
        assertEquals(2L, c.statistics().get("cache-coalesced-writes"));
        assertEquals(1L, c.statistics().get("cache-vectored-writes"));
        assertEquals(12L * 512, c.statistics().get("cache-bytes-pending-force"));
        c.flush();
        assertEquals(0L, c.statistics().get("cache-bytes-pending-force"));
    }
}
