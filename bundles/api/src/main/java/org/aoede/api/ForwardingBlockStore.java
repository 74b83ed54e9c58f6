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
 *
 * <p>Four methods do not go to the delegate:
 * <ul>
 * <li>{@link #close()} releases nothing: the wrapped store belongs to the export (see
 * {@link Extension#wrap}). A wrapper that holds resources of its own overrides it and releases
 * those only.</li>
 * <li>{@link #submits()} is false, and {@link #submit(IoRequest)} and {@link #submitBatchEnd()}
 * are {@link BlockStore}'s: a wrapper changes {@code read}, {@code write} and {@code flush}, which
 * a submission would bypass. A wrapper that forwards submissions knowingly overrides all three.</li>
 * </ul>
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

    /** Nothing: no request was submitted to this wrapper (see {@link #submits()}). */
    @Override
    public void submitBatchEnd() {
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    /** Releases nothing: the wrapped store belongs to the export. */
    @Override
    public void close() throws IOException {
    }
}
