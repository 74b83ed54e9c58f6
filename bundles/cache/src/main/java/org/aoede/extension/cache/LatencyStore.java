package org.aoede.extension.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.aoede.api.BlockStore;

/**
 * TEST ONLY ({@code cache.test-latency-us}): makes a store slow, as a disk would be, by waiting
 * the given microseconds before every read, write and flush. This machine has no slow device;
 * the bench shows with it where the cache helps. Never use it in production.
 */
final class LatencyStore implements BlockStore {
    private final BlockStore inner;
    private final long nanos;

    LatencyStore(BlockStore inner, long micros) {
        this.inner = inner;
        this.nanos = micros * 1000;
    }

    private void delay() {
        long end = System.nanoTime() + nanos;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
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
        delay();
        inner.read(lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        delay();
        inner.write(lba, src);
    }

    /** One wait for a whole gathering write: one call to the device, as with {@code pwritev}. */
    @Override
    public void write(long lba, ByteBuffer[] srcs) throws IOException {
        delay();
        inner.write(lba, srcs);
    }

    @Override
    public void flush() throws IOException {
        delay();
        inner.flush();
    }

    @Override
    public Map<String, Long> statistics() {
        return inner.statistics();
    }

    @Override
    public String describe() {
        return inner.describe() + " +" + nanos / 1000 + " us test latency";
    }

    /** Releases nothing: the wrapped store belongs to the export. */
    @Override
    public void close() {
    }
}
