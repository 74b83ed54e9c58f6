package org.aoede.api;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The data behind an export, addressed in 512-byte sectors relative to the export's window.
 * Implementations are safe for concurrent use by several threads.
 */
public interface BlockStore extends AutoCloseable {
    int SECTOR = 512;

    /** Size of the export in sectors. */
    long sectors();

    boolean readOnly();

    /** Reads {@code dst.remaining()} bytes (a whole number of sectors) from {@code lba}. */
    void read(long lba, ByteBuffer dst) throws IOException;

    /**
     * Writes {@code src.remaining()} bytes (a whole number of sectors) at {@code lba}. On return
     * the data is at least in the kernel page cache (survives the process dying); in sync mode
     * it is on stable storage.
     */
    void write(long lba, ByteBuffer src) throws IOException;

    /**
     * Writes the buffers one after the other, contiguously from {@code lba} (a gathering write,
     * {@code pwritev}); the same guarantee as {@link #write(long, ByteBuffer)} on return. The
     * default writes them one by one; a store that can do it in one call overrides it.
     */
    default void write(long lba, ByteBuffer[] srcs) throws IOException {
        writeEach(this, lba, srcs);
    }

    /** The buffers one after the other from {@code lba}, one {@link #write(long, ByteBuffer)} of {@code store} each. */
    static void writeEach(BlockStore store, long lba, ByteBuffer[] srcs) throws IOException {
        long at = lba;
        for (ByteBuffer b : srcs) {
            int n = b.remaining() / SECTOR;
            store.write(at, b);
            at += n;
        }
    }

    /**
     * Up to how many sectors a write may have for the export to coalesce it (0: never): the export
     * holds the sequential writes of that size one receive batch delivers (each starting where the
     * export's previous write ended), hands each run to {@link #write(long, ByteBuffer[])} at once
     * and acknowledges them after it returned. Other writes go down at once. Holding copies the data,
     * so a store whose writes are cheap says where the saved calls stop paying for the copy.
     */
    default int coalesceWritesUpTo() {
        return 0;
    }

    /** Forces everything written so far to stable storage. */
    void flush() throws IOException;

    /**
     * Counters of this store for the export's statistics (e.g. a cache's hits), name → value;
     * none by default.
     */
    default java.util.Map<String, Long> statistics() {
        return java.util.Map.of();
    }

    /**
     * True if a write is on stable storage when it returns (the export's {@code sync}); a wrapper
     * that keeps files of its own forces them likewise.
     */
    default boolean sync() {
        return false;
    }

    /**
     * True if a call may wait for a device (O_DIRECT, {@code sync}, a block device, a slow wrapper):
     * the export then hands its reads, writes and flushes to I/O threads of its own, so that many
     * are in flight at once and the receive thread never waits. False (the default) for stores
     * whose calls cost about a microsecond (the page cache): handing those to another thread would
     * cost more than the call, so the receive thread makes them itself.
     */
    default boolean asynchronous() {
        return false;
    }

    /**
     * True if this store starts reads, writes and flushes with {@link #submit(IoRequest)} and
     * completes them later on threads of its own (Linux AIO, librbd's aio): the export then hands
     * requests to it without I/O threads, and many are in flight at once. False by default; a
     * wrapper ({@link ForwardingBlockStore}) says false unless it forwards submissions knowingly.
     * The export still orders overlapping requests and times them out; the store only starts them.
     * Such a store still serves {@link #read}, {@link #write} and {@link #flush} (for wrappers).
     */
    default boolean submits() {
        return false;
    }

    /**
     * Starts {@code request} and returns without waiting for the device; calls
     * {@link IoRequest#completed(IOException)} once when it is done, with an error if it failed or
     * could not be started. Called only if {@link #submits()}; from any thread, concurrently.
     */
    default void submit(IoRequest request) {
        request.completed(new IOException(describe() + " does not submit requests"));
    }

    /**
     * Starts the requests this store held back since the last call: those whose
     * {@link IoRequest#batched()} was true when they were submitted. The export calls it on the
     * receive thread when a receive batch ends, after every {@code submit} of that batch, so a store
     * may start the requests of one batch with one call to its device (one {@code io_submit} of
     * several iocbs). Requests held by another thread may be started too. The default does nothing:
     * a store that holds nothing back needs nothing here.
     */
    default void submitBatchEnd() {
    }

    /** A short human description, e.g. the file and window. */
    String describe();

    @Override
    void close() throws IOException;
}
