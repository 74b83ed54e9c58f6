package org.aoede.api;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One read, write or flush handed to a store that {@link BlockStore#submits() submits} its work
 * (Linux AIO, librbd's aio calls). The export owns the request and reuses it once it completed, so
 * a store keeps no reference to it after calling {@link #completed(IOException)}.
 */
public interface IoRequest {
    int READ = 0;
    int WRITE = 1;
    int FLUSH = 2;

    /** {@link #READ}, {@link #WRITE} or {@link #FLUSH}. */
    int kind();

    /** First sector, relative to the store's window (0 for a flush). */
    long lba();

    /** Sectors to read or write (0 for a flush). */
    int count();

    /**
     * A read's room for exactly {@code count() * 512} bytes (the store fills it from its position),
     * or a write's data (its remaining bytes); an empty buffer for a flush. Heap memory: a store that
     * needs aligned or native memory copies through buffers of its own.
     */
    ByteBuffer data();

    /**
     * Called exactly once by the store when the request completed: {@code error} null on success.
     * Any thread may call it; it does not block (it sends the reply). A write is completed once the
     * same guarantee holds as when {@link BlockStore#write(long, ByteBuffer)} returns; a flush once
     * every write completed before it was submitted is on stable storage.
     */
    void completed(IOException error);

    /**
     * True if the export calls {@link BlockStore#submitBatchEnd()} on this store, from the thread
     * that submits this request, once the current receive batch has been dispatched (microseconds
     * later): the store may hold the request until then and start it together with the batch's
     * others. False (the default, and for requests started from a completion or a timer): start it
     * now. The export orders overlapping requests before submitting them, so holding never reorders
     * what must stay ordered.
     */
    default boolean batched() {
        return false;
    }
}
