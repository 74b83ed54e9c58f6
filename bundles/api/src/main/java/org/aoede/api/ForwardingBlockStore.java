package org.aoede.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A store that hands every call to another one: a wrapper extends it and overrides only what it
 * changes. Every method of {@link BlockStore}, the default ones too, goes to {@link #delegate},
 * so a wrapper never hides what the store below does (its gathering writes, sync, statistics). A
 * wrapper that changes {@link #write(long, ByteBuffer)} must therefore change
 * {@link #write(long, ByteBuffer[])} as well.
 */
public abstract class ForwardingBlockStore implements BlockStore {
    protected final BlockStore delegate;

    protected ForwardingBlockStore(BlockStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public long sectors() {
        return delegate.sectors();
    }

    @Override
    public boolean readOnly() {
        return delegate.readOnly();
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        delegate.read(lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        delegate.write(lba, src);
    }

    @Override
    public void write(long lba, ByteBuffer[] srcs) throws IOException {
        delegate.write(lba, srcs);
    }

    @Override
    public int coalesceWritesUpTo() {
        return delegate.coalesceWritesUpTo();
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public Map<String, Long> statistics() {
        return delegate.statistics();
    }

    @Override
    public boolean sync() {
        return delegate.sync();
    }

    @Override
    public boolean asynchronous() {
        // a wrapper calls read and write, so a submitting store behind it needs the I/O threads
        return delegate.asynchronous() || delegate.submits();
    }

    /** False: a wrapper works in read and write, which run on the export's I/O threads. */
    @Override
    public boolean submits() {
        return false;
    }

    @Override
    public void submit(IoRequest request) {
        BlockStore.super.submit(request);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
