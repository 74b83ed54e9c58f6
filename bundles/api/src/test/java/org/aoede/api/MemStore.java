package org.aoede.api;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory store counting its calls, for the unit tests of the bundles that wrap a store
 * (shipped in aoede-api's test-jar). It yields between its calls' halves so that races show.
 */
public final class MemStore implements BlockStore {
    public final byte[] data;
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger writes = new AtomicInteger();
    public final AtomicInteger flushes = new AtomicInteger();
    public volatile boolean closed;
    /** Runs at every flush (tests look at a wrapper's files at that moment). */
    public volatile Runnable onFlush = () -> { };

    public MemStore(int sectors) {
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
