package org.aoede.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import org.aoede.api.BlockStore;

/** An in-memory {@link BlockStore} over a byte array that counts flushes. */
class MemStore implements BlockStore {
    final byte[] data;
    final boolean readOnly;
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    volatile boolean closed;

    MemStore(long sectors, boolean readOnly) {
        this.data = new byte[Math.toIntExact(sectors * SECTOR)];
        this.readOnly = readOnly;
    }

    @Override
    public long sectors() {
        return data.length / SECTOR;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private void check(long lba, int bytes) throws IOException {
        if (lba < 0 || bytes % SECTOR != 0 || lba + bytes / SECTOR > sectors()) {
            throw new IOException("outside: " + lba + "+" + bytes / SECTOR);
        }
    }

    @Override
    public synchronized void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst.remaining());
        dst.put(data, (int) (lba * SECTOR), dst.remaining());
    }

    @Override
    public synchronized void write(long lba, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException("read-only");
        }
        check(lba, src.remaining());
        src.get(data, (int) (lba * SECTOR), src.remaining());
        writes.incrementAndGet();
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
    }

    @Override
    public String describe() {
        return "mem[" + sectors() + "]";
    }

    @Override
    public void close() {
        closed = true;
    }
}
