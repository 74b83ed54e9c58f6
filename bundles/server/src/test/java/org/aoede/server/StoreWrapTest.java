package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.aoede.api.BlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extensions' store wrappers (Extension.wrap): the export serves through them and drops them safely. */
class StoreWrapTest {

    /** A wrapper counting what goes through it. */
    static final class Counting implements BlockStore {
        final BlockStore inner;
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        volatile boolean closed;

        Counting(BlockStore inner) {
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
            reads.incrementAndGet();
            inner.read(lba, dst);
        }

        @Override
        public void write(long lba, ByteBuffer src) throws IOException {
            writes.incrementAndGet();
            inner.write(lba, src);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public Map<String, Long> statistics() {
            return Map.of("wrapped-reads", (long) reads.get());
        }

        @Override
        public String describe() {
            return "counting " + inner.describe();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void servesThroughTheWrapperAndDropsIt(@TempDir Path dir) throws Exception {
        try (Harness h = new Harness(dir, 1500, 64, false)) {
            Export e = h.export;
            assertSame(e.base, e.store, "no wrapper: the data path is the base store");
            Counting w = new Counting(e.base);
            e.wrapped(w, new WrapKey(e.base, java.util.List.of()));
            assertNotNull(h.send(Harness.write(1, 4, 2, (byte) 7)));
            assertNotNull(h.send(Harness.read(2, 4, 2)));
            assertEquals(1, w.writes.get());
            assertEquals(1, w.reads.get());
            assertEquals(1L, e.stats.snapshot().info().get("wrapped-reads"), "the wrapper's counters are the export's");
            // the extension goes away: straight from the base store, the wrapper closed, the store not
            e.wrapped(e.base, new WrapKey(e.base, java.util.List.of()));
            assertTrue(w.closed);
            assertFalse(h.store.closed);
            ByteBuffer r = h.send(Harness.read(3, 4, 2));
            assertNotNull(r);
            assertEquals(7, r.get(org.aoede.protocol.Ata.DATA));
            assertEquals(1, w.reads.get());
            assertFalse(e.stats.snapshot().info().containsKey("wrapped-reads"));
            // stopping closes the wrapper and the base store
            Counting w2 = new Counting(e.base);
            e.wrapped(w2, new WrapKey(e.base, java.util.List.of()));
            e.stop();
            assertTrue(w2.closed);
            assertTrue(h.store.closed);
        }
    }

    @Test
    void extensionSettingsAreTheKeysOfItsName() {
        Map<String, String> configured = Map.of("cache.size", "64M", "cache.test-latency-us", "200",
                "cached", "x", "crc.size", "1", "file", "/x", "cache.", "y");
        assertEquals(Map.of("size", "64M", "test-latency-us", "200"), ExtensionWiring.extensionSettings(configured, "cache"));
        assertEquals(Map.of(), ExtensionWiring.extensionSettings(configured, "tagtrack"));
    }
}
