package org.aoede.extension.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.aoede.api.BlockStore;

/**
 * A read cache over a store: an LRU of {@link #BLOCK_SECTORS}-sector blocks, at most
 * {@code capacity} bytes for this export and within the global {@link Budget}.
 *
 * <ul>
 * <li>Reads: blocks in the cache are copied; on a miss the missing blocks of the request are read
 * from the store in one call, and when the request continues a sequential stream, the read goes on
 * for {@code readAhead} bytes (read-ahead) in that same call.</li>
 * <li>Writes go through to the store before they return (no write-back: an acknowledged write is in
 * the store, at least in the kernel's page cache). Cached blocks they touch are updated with the
 * new data, or dropped when another write overlapped in time; a read that ran concurrently with any
 * write never fills the cache, so a read after an acknowledged write always sees its data.</li>
 * <li>Write coalescing: the export hands a run of contiguous writes of one receive batch to
 * {@link #write(long, ByteBuffer[])}, which passes it to the store below as one gathering write
 * ({@code pwritev}) and returns when all of it is there; only then are they acknowledged.</li>
 * <li>Flush forces the store; bytes written since the last flush are reported as pending force
 * ("dirty": in the kernel's page cache, not yet forced).</li>
 * </ul>
 */
final class CachingStore implements BlockStore {
    static final int BLOCK_SECTORS = 8;
    static final int BLOCK = BLOCK_SECTORS * SECTOR;

    private static final class Block {
        final byte[] data;
        boolean prefetched;

        Block(byte[] data, boolean prefetched) {
            this.data = data;
            this.prefetched = prefetched;
        }
    }

    private final BlockStore inner;
    private final long capacityBlocks;
    private final int readAheadBlocks;
    private final Budget budget;
    private final long sectors;
    private final Object lock = new Object();
    private final LinkedHashMap<Long, Block> blocks = new LinkedHashMap<>(256, 0.75f, true);
    private long cachedBytes;
    /** Writes started so far, and those not yet done (guarded by lock): see the class comment. */
    private long writeSeq;
    private int writesInFlight;
    private boolean closed;
    /** The next LBA of a few recent sequential streams (guarded by lock). */
    private final long[] streams = new long[4];
    private int nextStream;

    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder readAheadHits = new LongAdder();
    final LongAdder readAheadBlocksRead = new LongAdder();
    final AtomicLong pendingForce = new AtomicLong();
    /** Writes that went to the store together with others, and the gathering writes that took them. */
    final LongAdder coalescedWrites = new LongAdder();
    final LongAdder vectoredWrites = new LongAdder();
    final LongAdder writeErrors = new LongAdder();
    private final boolean coalesce;

    CachingStore(BlockStore inner, long capacityBytes, long readAheadBytes, Budget budget) {
        this(inner, capacityBytes, readAheadBytes, budget, true);
    }

    CachingStore(BlockStore inner, long capacityBytes, long readAheadBytes, Budget budget, boolean coalesce) {
        this.coalesce = coalesce;
        this.inner = inner;
        this.capacityBlocks = capacityBytes / BLOCK;
        this.readAheadBlocks = (int) Math.min(Math.max(readAheadBytes / BLOCK, 0), Math.max(capacityBlocks / 4, 0));
        this.budget = budget;
        this.sectors = inner.sectors();
        java.util.Arrays.fill(streams, -1);
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return inner.readOnly();
    }

    @Override
    public boolean sync() {
        return inner.sync();
    }

    /**
     * As the store below when not coalescing (a miss waits for it; a hit is cheap, but which one is
     * not known up front). Coalescing holds the writes of a receive batch on the receive thread
     * (the export's synchronous path): a cache that coalesces (the default) keeps that path, as it
     * was built and measured for it.
     */
    @Override
    public boolean asynchronous() {
        return !coalesce && inner.asynchronous();
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        int count = dst.remaining() / SECTOR;
        if (count == 0) {
            return;
        }
        int base = dst.position();
        long first = lba / BLOCK_SECTORS;
        long last = (lba + count - 1) / BLOCK_SECTORS;
        boolean sequential = sequential(lba, count);
        for (long b = first; b <= last; b++) {
            Block blk;
            synchronized (lock) {
                blk = blocks.get(b);
                if (blk != null) {
                    if (blk.prefetched) {
                        blk.prefetched = false;
                        readAheadHits.increment();
                    }
                    copyOut(b, blk.data, lba, count, dst, base);
                }
            }
            if (blk != null) {
                hits.increment();
                continue;
            }
            // a miss: the rest of the request from the store in one call, with read-ahead if sequential
            fill(b, last, sequential, lba, count, dst, base);
            break;
        }
        dst.position(dst.limit());
    }

    /** Reads blocks [from, last] (and read-ahead) from the store, copies the request's part, caches them. */
    private void fill(long from, long last, boolean sequential, long lba, int count, ByteBuffer dst, int base)
            throws IOException {
        long totalBlocks = (sectors + BLOCK_SECTORS - 1) / BLOCK_SECTORS;
        long end = last + 1;
        if (sequential && readAheadBlocks > 0) {
            end = Math.min(totalBlocks, end + readAheadBlocks);
        }
        long startSector = from * BLOCK_SECTORS;
        long endSector = Math.min(sectors, end * BLOCK_SECTORS);
        byte[] buf = new byte[(int) ((endSector - startSector) * SECTOR)];
        long seq;
        boolean quiet;
        synchronized (lock) {
            seq = writeSeq;
            quiet = writesInFlight == 0;
        }
        inner.read(startSector, ByteBuffer.wrap(buf));
        for (long b = from; b <= last; b++) {
            misses.increment();
            int off = (int) ((b - from) * BLOCK);
            copyOut(b, buf, off, lba, count, dst, base);
        }
        if (end > last + 1) {
            readAheadBlocksRead.add(end - last - 1);
        }
        if (capacityBlocks == 0) {
            return;
        }
        synchronized (lock) {
            if (!quiet || seq != writeSeq || closed) {
                return;                             // a write ran meanwhile: what we read may be stale
            }
            for (long b = from; b < end; b++) {
                int off = (int) ((b - from) * BLOCK);
                int len = Math.min(BLOCK, buf.length - off);
                if (b > last && blocks.containsKey(b)) {
                    continue;
                }
                byte[] data = new byte[len];
                System.arraycopy(buf, off, data, 0, len);
                if (!insert(b, new Block(data, b > last))) {
                    break;
                }
            }
        }
    }

    private void copyOut(long b, byte[] data, long lba, int count, ByteBuffer dst, int base) {
        copyOut(b, data, 0, lba, count, dst, base);
    }

    /** Copies the part of block b (at data[off]) that the request [lba, lba+count) covers into dst. */
    private static void copyOut(long b, byte[] data, int off, long lba, int count, ByteBuffer dst, int base) {
        long blockStart = b * BLOCK_SECTORS;
        long from = Math.max(lba, blockStart);
        long to = Math.min(lba + count, blockStart + BLOCK_SECTORS);
        int len = (int) ((to - from) * SECTOR);
        dst.put(base + (int) ((from - lba) * SECTOR), data, off + (int) ((from - blockStart) * SECTOR), len);
    }

    /** Inserts under lock, evicting the least recently used blocks; false if the global cap leaves no room. */
    private boolean insert(long b, Block blk) {
        long n = blk.data.length;
        Block old = blocks.remove(b);
        if (old != null) {
            release(old);
        }
        while (blocks.size() >= capacityBlocks || !budget.reserve(n)) {
            Iterator<Map.Entry<Long, Block>> it = blocks.entrySet().iterator();
            if (!it.hasNext()) {
                return false;
            }
            release(it.next().getValue());
            it.remove();
        }
        blocks.put(b, blk);
        cachedBytes += n;
        return true;
    }

    private void release(Block blk) {
        cachedBytes -= blk.data.length;
        budget.release(blk.data.length);
    }

    private boolean sequential(long lba, int count) {
        synchronized (lock) {
            for (int i = 0; i < streams.length; i++) {
                long next = streams[i];
                // requests of a queue may arrive a little out of order
                if (next >= 0 && lba >= next - 64 && lba <= next + 64) {
                    streams[i] = Math.max(next, lba + count);
                    return true;
                }
            }
            streams[nextStream] = lba + count;
            nextStream = (nextStream + 1) % streams.length;
            return false;
        }
    }

    @Override
    public int coalesceWritesUpTo() {
        return coalesce ? Integer.MAX_VALUE : 0;        // the store below may be slow: every size pays
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        write(lba, new ByteBuffer[] {src});
    }

    /**
     * A run of contiguous writes (coalesced by the export from one receive batch) in one gathering
     * write of the store below; the cached blocks they touch are updated as for one write.
     */
    @Override
    public void write(long lba, ByteBuffer[] srcs) throws IOException {
        int count = 0;
        ByteBuffer[] data = new ByteBuffer[srcs.length];
        for (int i = 0; i < srcs.length; i++) {
            count += srcs[i].remaining() / SECTOR;
            data[i] = srcs[i].duplicate();
        }
        long mine;
        synchronized (lock) {
            mine = ++writeSeq;
            writesInFlight++;
        }
        boolean ok = false;
        try {
            if (srcs.length == 1) {
                inner.write(lba, srcs[0]);          // through: in the store before we return
            } else {
                inner.write(lba, srcs);
            }
            ok = true;
        } finally {
            synchronized (lock) {
                writesInFlight--;
                // update the cached blocks only if no other write overlapped this one in time
                boolean alone = ok && writeSeq == mine && writesInFlight == 0;
                long first = lba / BLOCK_SECTORS;
                long last = (lba + count - 1) / BLOCK_SECTORS;
                for (long b = first; b <= last && count > 0; b++) {
                    Block blk = blocks.get(b);
                    if (blk == null) {
                        continue;
                    }
                    if (alone) {
                        copyIn(b, blk.data, lba, data);
                    } else {
                        blocks.remove(b);
                        release(blk);
                    }
                }
            }
        }
        if (ok) {
            pendingForce.addAndGet((long) count * SECTOR);
            if (srcs.length > 1) {
                vectoredWrites.increment();
                coalescedWrites.add(srcs.length);
            }
        } else {
            writeErrors.increment();
        }
    }

    /** Copies what the written buffers (contiguous from lba) hold of block b into its cached data. */
    private static void copyIn(long b, byte[] block, long lba, ByteBuffer[] data) {
        long blockStart = b * BLOCK_SECTORS;
        long blockEnd = blockStart + BLOCK_SECTORS;
        long at = lba;
        for (ByteBuffer d : data) {
            long n = d.remaining() / SECTOR;
            long from = Math.max(at, blockStart);
            long to = Math.min(at + n, blockEnd);
            if (from < to) {
                d.get(d.position() + (int) ((from - at) * SECTOR), block,
                        (int) ((from - blockStart) * SECTOR), (int) ((to - from) * SECTOR));
            }
            at += n;
        }
    }

    @Override
    public void flush() throws IOException {
        long p = pendingForce.get();
        inner.flush();
        pendingForce.addAndGet(-p);
    }

    long cachedBytes() {
        synchronized (lock) {
            return cachedBytes;
        }
    }

    @Override
    public Map<String, Long> statistics() {
        Map<String, Long> m = new LinkedHashMap<>(inner.statistics());
        m.put("cache-hits", hits.sum());
        m.put("cache-misses", misses.sum());
        m.put("cache-readahead-hits", readAheadHits.sum());
        m.put("cache-readahead-blocks", readAheadBlocksRead.sum());
        m.put("cache-bytes", cachedBytes());
        m.put("cache-bytes-pending-force", pendingForce.get());
        m.put("cache-coalesced-writes", coalescedWrites.sum());
        m.put("cache-vectored-writes", vectoredWrites.sum());
        m.put("cache-write-errors", writeErrors.sum());
        return m;
    }

    @Override
    public String describe() {
        return inner.describe() + " (cache " + capacityBlocks * BLOCK / 1024 + " KiB)";
    }

    /** Drops the cached blocks (the data is all in the store); the wrapped store stays open. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            for (Block blk : blocks.values()) {
                release(blk);
            }
            blocks.clear();
        }
    }
}
