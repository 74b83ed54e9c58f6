package org.aoede.extension.freeze;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import org.aoede.api.BlockStore;

/** An in-memory store counting its calls. */
final class MemStore implements BlockStore {
    final byte[] data;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    volatile boolean closed;
    /** Runs at every flush (tests look at the shadow file at that moment). */
    volatile Runnable onFlush = () -> { };

    MemStore(int sectors) {
        data = new byte[sectors * SECTOR];
    }

    @Override
    public long sectors() {
        return data.length / SECTOR;
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public void read(long lba, ByteBuffer dst) {
        reads.incrementAndGet();
        int n = dst.remaining();
        synchronized (this) {
            dst.put(data, (int) (lba * SECTOR), n);
        }
        Thread.yield();
    }

    @Override
    public void write(long lba, ByteBuffer src) {
        writes.incrementAndGet();
        int n = src.remaining();
        Thread.yield();
        synchronized (this) {
            src.get(data, (int) (lba * SECTOR), n);
        }
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
        onFlush.run();
    }

    @Override
    public String describe() {
        return "mem";
    }

    @Override
    public void close() {
        closed = true;
    }
}
