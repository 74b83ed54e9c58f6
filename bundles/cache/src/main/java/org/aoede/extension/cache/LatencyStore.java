package org.aoede.extension.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

import org.aoede.api.BlockStore;
import org.aoede.api.ForwardingBlockStore;

/**
 * A simulated slow device ({@code cache.test-latency-us}): makes a store slow, as a disk would be,
 * by waiting the given microseconds before every read, write and flush. It ships in the appliance,
 * not in test code, because what measures the cache runs against the built appliance on machines
 * without a slow disk: {@code CacheIT} (the cache against the same latency without it) and
 * {@code bench/cache.sh}. It sits under the cache, so it lives in the cache bundle. It only slows
 * an export down; the export logs a warning when it is on.
 */
final class LatencyStore extends ForwardingBlockStore {
    private final long nanos;

    LatencyStore(BlockStore inner, long micros) {
        super(inner);
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
    public void read(long lba, ByteBuffer dst) throws IOException {
        delay();
        delegate.read(lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        delay();
        delegate.write(lba, src);
    }

    /** One wait for a whole gathering write: one call to the device, as with {@code pwritev}. */
    @Override
    public void write(long lba, ByteBuffer[] srcs) throws IOException {
        delay();
        delegate.write(lba, srcs);
    }

    @Override
    public void flush() throws IOException {
        delay();
        delegate.flush();
    }

    /** Slow like a disk: the export hands its calls to I/O threads, as for a real one. */
    @Override
    public boolean asynchronous() {
        return true;
    }

    @Override
    public String describe() {
        return delegate.describe() + " +" + nanos / 1000 + " us test latency";
    }
}
