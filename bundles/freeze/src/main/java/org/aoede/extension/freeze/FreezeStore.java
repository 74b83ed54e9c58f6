package org.aoede.extension.freeze;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.aoede.api.BlockStore;
import org.aoede.api.ExportHandle;
import org.aoede.api.ForwardingBlockStore;
import org.aoede.api.StripedLocks;
import org.aoede.api.Freezer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One export's freeze over its store (the image). NORMAL: pass-through. FROZEN: writes go to the
 * {@link Shadow}, reads take each sector from the shadow if its bit is set, else from the image.
 * MERGING: writes go to the image and clear their sectors' bits; a background thread copies the
 * remaining marked sectors back. Both hold the stripe lock of the sectors they touch, and a write
 * clears a bit only after its image write, so the merge can never overwrite newer data.
 *
 * <p>Shared by the wrappers ({@link Handle}) of one export: the target builds a new wrapper chain
 * before closing the old one, and both must see one state.
 */
final class FreezeStore {
    private static final Logger LOG = LoggerFactory.getLogger(FreezeStore.class);
    /** Sectors per stripe: two bitmap words, so a stripe's bits never share a word with another's. */
    static final int STRIPE = 128;
    private static final int LOCKS = 1024;

    final String export;
    final Path path;
    /** Maximum sectors in the shadow; 0: no limit. */
    final long limit;
    private volatile BlockStore inner;
    private final long sectors;
    /** I/O holds the read lock; state changes hold the write lock (they wait for requests in progress). */
    private final ReentrantReadWriteLock mode = new ReentrantReadWriteLock();
    private final StripedLocks stripes = new StripedLocks(LOCKS);
    /** Serializes freeze, unfreeze and the end of a merge with their ExportHandle.require calls. */
    final ReentrantLock control = new ReentrantLock();
    private volatile Freezer.State state = Freezer.State.NORMAL;
    private Shadow shadow;
    private long[] bits;
    private final AtomicLong used = new AtomicLong();
    private volatile long mergeTotal;
    private volatile boolean closed;
    /** Bytes per second the merge copies at most (0: as fast as it can); requests always come first. */
    volatile long mergeRate;
    private Thread merger;
    /** Called (outside the locks) when a merge ended and the shadow is gone. */
    private final Runnable merged;
    int refs;
    /** The export as the target last handed it to wrap: where freeze marks itself required. */
    volatile ExportHandle handle;

    /**
     * Wraps {@code inner}; if the shadow file exists, continues from its state (FROZEN stays
     * frozen, MERGING goes on merging).
     */
    FreezeStore(String export, BlockStore inner, Path path, long limitSectors, Runnable merged) throws IOException {
        this.export = export;
        this.inner = inner;
        this.path = path;
        this.limit = limitSectors;
        this.sectors = inner.sectors();
        this.merged = merged;
        if (Files.exists(path)) {
            Shadow s = Shadow.open(path, sectors, inner.sync());
            try {
                bits = s.readBitmap();
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            long n = 0;
            for (long w : bits) {
                n += Long.bitCount(w);
            }
            used.set(n);
            shadow = s;
            state = s.state;
            LOG.info("export {}: found shadow {} in state {} with {} sectors", export, path, state, n);
            if (state == Freezer.State.MERGING) {
                startMerge();
            }
        }
    }

    void inner(BlockStore s) {
        if (s.sectors() != sectors) {
            throw new IllegalArgumentException("export " + export + ": size changed from " + sectors + " to "
                    + s.sectors() + " sectors under a freeze");
        }
        inner = s;
    }

    BlockStore inner() {
        return inner;
    }

    long sectors() {
        return sectors;
    }

    Freezer.State state() {
        return state;
    }

    Freezer.Status status() {
        long u = used.get();
        long total = state == Freezer.State.MERGING ? mergeTotal : 0;
        return new Freezer.Status(state, path.toString(), u, limit, total, Math.max(0, total - u));
    }

    // ---- control -----------------------------------------------------------------------

    /** Forces what was acknowledged, creates the shadow and sends writes there. Caller holds {@link #control}. */
    void freeze() throws IOException {
        mode.writeLock().lock();
        try {
            check();
            if (state != Freezer.State.NORMAL) {
                throw new IllegalStateException("export " + export + " is " + state);
            }
            if (inner.readOnly()) {
                throw new IOException("export " + export + " is read-only: nothing to freeze");
            }
            inner.flush();
            Shadow s = Shadow.create(path, sectors, inner.sync());
            bits = new long[Shadow.words(sectors)];
            used.set(0);
            shadow = s;
            state = Freezer.State.FROZEN;
        } finally {
            mode.writeLock().unlock();
        }
        LOG.info("export {}: frozen, writes go to {}", export, path);
    }

    /** Writes go to the image again; the shadow is merged back in the background. Caller holds {@link #control}. */
    void unfreeze() throws IOException {
        mode.writeLock().lock();
        try {
            check();
            if (state != Freezer.State.FROZEN) {
                throw new IllegalStateException("export " + export + " is " + state);
            }
            shadow.writeHeader(Freezer.State.MERGING);
            state = Freezer.State.MERGING;
            startMerge();
        } finally {
            mode.writeLock().unlock();
        }
        LOG.info("export {}: unfrozen, merging {} sectors back from {}", export, used.get(), path);
    }

    private void startMerge() {
        mergeTotal = used.get();
        spawnMerger();
    }

    /** A new merge pass on a thread of its own (the total for the progress stays as it is). */
    private void spawnMerger() {
        merger = new Thread(this::merge, "aoede-freeze-merge-" + export);
        merger.setDaemon(true);
        merger.start();
    }

    private void check() throws IOException {
        if (closed) {
            throw new IOException("export " + export + ": freeze wrapper closed");
        }
    }

    // ---- data path ---------------------------------------------------------------------

    void read(long lba, ByteBuffer dst) throws IOException {
        int n = count(lba, dst);
        mode.readLock().lock();
        try {
            check();
            if (state == Freezer.State.NORMAL) {
                inner.read(lba, dst);
                return;
            }
            lock(lba, n);
            try {
                int base = dst.position();
                int i = 0;
                while (i < n) {
                    boolean fromShadow = bit(lba + i);
                    int j = i + 1;
                    while (j < n && bit(lba + j) == fromShadow) {
                        j++;
                    }
                    ByteBuffer part = dst.duplicate();
                    part.position(base + i * SECTOR).limit(base + j * SECTOR);
                    if (fromShadow) {
                        shadow.readData(lba + i, part);
                    } else {
                        inner.read(lba + i, part);
                    }
                    i = j;
                }
                dst.position(base + n * SECTOR);
            } finally {
                unlock(lba, n);
            }
        } finally {
            mode.readLock().unlock();
        }
    }

    void write(long lba, ByteBuffer src) throws IOException {
        int n = count(lba, src);
        mode.readLock().lock();
        try {
            check();
            switch (state) {
                case NORMAL -> inner.write(lba, src);
                case FROZEN -> writeShadow(lba, n, src);
                case MERGING -> writeImage(lba, n, src);
            }
        } finally {
            mode.readLock().unlock();
        }
    }

    /** Frozen: data first, then its bits; acknowledged only when both are in the file. */
    private void writeShadow(long lba, int n, ByteBuffer src) throws IOException {
        lock(lba, n);
        try {
            int fresh = 0;
            for (int i = 0; i < n; i++) {
                if (!bit(lba + i)) {
                    fresh++;
                }
            }
            // reserve the new sectors first: concurrent writers to other stripes cannot overshoot the limit
            if (used.addAndGet(fresh) > limit && limit > 0 && fresh > 0) {
                used.addAndGet(-fresh);
                throw new IOException("export " + export + ": shadow full (limit " + limit + " sectors)");
            }
            boolean done = false;
            try {
                shadow.writeData(lba, src);
                if (fresh > 0) {
                    int from = (int) (lba >>> 6);
                    int to = (int) ((lba + n - 1) >>> 6) + 1;
                    long[] next = java.util.Arrays.copyOfRange(bits, from, to);
                    for (int i = 0; i < n; i++) {
                        long s = lba + i;
                        next[(int) (s >>> 6) - from] |= 1L << (s & 63);
                    }
                    writeWords(from, next);
                }
                done = true;
            } finally {
                if (!done) {
                    used.addAndGet(-fresh);
                }
            }
        } finally {
            unlock(lba, n);
        }
    }

    /**
     * Merging: the image first, then the bits cleared (never the other way round). Where a bit is
     * still set, the image is forced before the cleared bit can reach the disk: the image and the
     * shadow are two files, and the kernel may write the bitmap page back first — after a power
     * failure the sector would read as the pre-freeze image, losing shadow data a FLUSH had made
     * durable. A write to sectors already merged costs nothing extra.
     */
    private void writeImage(long lba, int n, ByteBuffer src) throws IOException {
        lock(lba, n);
        try {
            inner.write(lba, src);
            if (anyBit(lba, n)) {
                inner.flush();
            }
            clear(lba, n);
        } finally {
            unlock(lba, n);
        }
    }

    /** Clears the bits of {@code [lba, lba + n)} in the file, then in memory. Caller holds the stripes. */
    private void clear(long lba, int n) throws IOException {
        int from = (int) (lba >>> 6);
        int to = (int) ((lba + n - 1) >>> 6) + 1;
        long[] next = java.util.Arrays.copyOfRange(bits, from, to);
        int cleared = 0;
        for (int i = 0; i < n; i++) {
            long s = lba + i;
            long m = 1L << (s & 63);
            int w = (int) (s >>> 6) - from;
            if ((next[w] & m) != 0) {
                next[w] &= ~m;
                cleared++;
            }
        }
        if (cleared > 0) {
            writeWords(from, next);
            used.addAndGet(-cleared);
        }
    }

    private void writeWords(int from, long[] words) throws IOException {
        long[] saved = java.util.Arrays.copyOfRange(bits, from, from + words.length);
        System.arraycopy(words, 0, bits, from, words.length);
        try {
            shadow.writeBitmap(bits, from, from + words.length);
        } catch (IOException | RuntimeException e) {
            System.arraycopy(saved, 0, bits, from, saved.length); // memory stays as the file says
            throw e;
        }
    }

    void flush() throws IOException {
        mode.readLock().lock();
        try {
            check();
            inner.flush();
            if (state != Freezer.State.NORMAL) {
                shadow.channel.force(false);
            }
        } finally {
            mode.readLock().unlock();
        }
    }

    private boolean anyBit(long lba, int n) {
        for (int i = 0; i < n; i++) {
            if (bit(lba + i)) {
                return true;
            }
        }
        return false;
    }

    private boolean bit(long s) {
        return (bits[(int) (s >>> 6)] & (1L << (s & 63))) != 0;
    }

    private int count(long lba, ByteBuffer b) throws IOException {
        int bytes = b.remaining();
        if (bytes % SECTOR != 0) {
            throw new IOException("not a whole number of sectors: " + bytes + " bytes");
        }
        int n = bytes / SECTOR;
        if (lba < 0 || lba + n > sectors) {
            throw new IOException("sectors " + lba + "+" + n + " outside the export (" + sectors + ")");
        }
        return n;
    }

    private static final int SECTOR = BlockStore.SECTOR;

    /** Locks the stripes of {@code [lba, lba + n)}. */
    private void lock(long lba, int n) {
        long first = lba / STRIPE;
        long last = n == 0 ? first : (lba + n - 1) / STRIPE;
        stripes.lock(first, last - first + 1);
    }

    private void unlock(long lba, int n) {
        long first = lba / STRIPE;
        long last = n == 0 ? first : (lba + n - 1) / STRIPE;
        stripes.unlock(first, last - first + 1);
    }

    // ---- merge -------------------------------------------------------------------------

    private void merge() {
        ByteBuffer buf = ByteBuffer.allocateDirect(STRIPE * SECTOR);
        long stripesTotal = (sectors + STRIPE - 1) / STRIPE;
        long s = 0;
        long t0 = System.nanoTime();
        long copied = 0;
        while (s < stripesTotal) {
            if (closed) {
                return;
            }
            try {
                copied += mergeStripe(s, buf);
                s++;
                long rate = mergeRate;
                if (rate > 0) {
                    long aheadMs = copied * 1000 / rate - (System.nanoTime() - t0) / 1_000_000;
                    if (aheadMs > 0) {
                        pause(aheadMs);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.error("export {}: merging stripe {} of {} failed, retrying in 1 s: {}", export, s, path, e.toString());
                pause(1000);
            }
        }
        mode.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            if (used.get() != 0) {
                LOG.error("export {}: {} sectors still marked after the merge pass; merging again", export, used.get());
                startMerge();
                return;
            }
            try {
                inner.flush();                    // the merged data is forced before its only other copy goes
                shadow.delete();
            } catch (IOException e) {
                LOG.error("export {}: finishing the merge of {} failed, retrying: {}", export, path, e.toString());
                spawnMerger();
                return;
            }
            shadow = null;
            bits = null;
            state = Freezer.State.NORMAL;
            mergeTotal = 0;
        } finally {
            mode.writeLock().unlock();
        }
        LOG.info("export {}: merge done, shadow {} removed", export, path);
        control.lock();
        try {
            if (state == Freezer.State.NORMAL && !closed) {
                merged.run();
            }
        } finally {
            control.unlock();
        }
    }

    /**
     * Copies the marked sectors of one stripe to the image and clears their bits, under the
     * stripe's lock. Returns the bytes copied.
     */
    private long mergeStripe(long stripe, ByteBuffer buf) throws IOException {
        int w = (int) (stripe * 2);
        if (bits[w] == 0 && (w + 1 >= bits.length || bits[w + 1] == 0)) {
            return 0;                              // racy peek; a set bit is checked again under the lock
        }
        long copied = 0;
        long lba = stripe * STRIPE;
        int n = (int) Math.min(STRIPE, sectors - lba);
        mode.readLock().lock();
        try {
            check();
            lock(lba, n);
            try {
                int i = 0;
                while (i < n) {
                    if (!bit(lba + i)) {
                        i++;
                        continue;
                    }
                    int j = i + 1;
                    while (j < n && bit(lba + j)) {
                        j++;
                    }
                    buf.clear().limit((j - i) * SECTOR);
                    shadow.readData(lba + i, buf);
                    buf.flip();
                    inner.write(lba + i, buf);
                    copied += (long) (j - i) * SECTOR;
                    i = j;
                }
            } finally {
                unlock(lba, n);
            }
            if (copied > 0) {
                // The copies are forced before their bits are cleared (see writeImage). Outside the
                // stripe lock: requests to the stripe go on meanwhile; while merging nothing sets a
                // bit, and a write that superseded a copied sector cleared its bit itself.
                inner.flush();
                lock(lba, n);
                try {
                    clear(lba, n);
                } finally {
                    unlock(lba, n);
                }
            }
        } finally {
            mode.readLock().unlock();
        }
        Thread.yield();                            // requests come first
        return copied;
    }

    private void pause(long ms) {
        long end = System.currentTimeMillis() + ms;
        while (!closed && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    Map<String, Long> statistics() {
        Map<String, Long> m = new LinkedHashMap<>(inner.statistics());
        Freezer.Status st = status();
        m.put("freeze-state", (long) st.state().ordinal());
        m.put("freeze-shadow-sectors", st.shadowSectors());
        m.put("freeze-merge-percent", (long) (st.state() == Freezer.State.MERGING ? st.percent() : 0));
        return m;
    }

    /**
     * Stops the merge and closes the shadow (kept on disk: the next wrapper continues from it).
     * Never waits on a lock the target holds (the merge thread only stops between stripes).
     */
    void close() {
        closed = true;
        mode.writeLock().lock();
        try {
            if (shadow != null) {
                try {
                    shadow.close();
                } catch (IOException e) {
                    LOG.warn("export {}: closing {}: {}", export, path, e.toString());
                }
            }
        } finally {
            mode.writeLock().unlock();
        }
    }

    /**
     * A wrapper of the chain the target builds; closing it releases its share of the FreezeStore.
     * Reads, writes, flushes and statistics go through the core; the rest (size, read-only, sync)
     * is the image's.
     */
    static final class Handle extends ForwardingBlockStore {
        final FreezeStore core;
        private final Runnable release;
        private volatile boolean released;

        Handle(FreezeStore core, Runnable release) {
            super(core.inner);
            this.core = core;
            this.release = release;
        }

        @Override
        public void read(long lba, ByteBuffer dst) throws IOException {
            core.read(lba, dst);
        }

        @Override
        public void write(long lba, ByteBuffer src) throws IOException {
            core.write(lba, src);
        }

        /** One by one through the core, never straight to the image. */
        @Override
        public void write(long lba, ByteBuffer[] srcs) throws IOException {
            BlockStore.writeEach(this, lba, srcs);
        }

        /** Writes are held one by one by the core; the image's coalescing does not apply. */
        @Override
        public int coalesceWritesUpTo() {
            return 0;
        }

        @Override
        public void flush() throws IOException {
            core.flush();
        }

        @Override
        public Map<String, Long> statistics() {
            return core.statistics();
        }

        @Override
        public String describe() {
            Freezer.State s = core.state;
            return core.inner.describe() + (s == Freezer.State.NORMAL ? " (freeze: not frozen)"
                    : " (freeze: " + s + ", shadow " + core.path + ")");
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release.run();
            }
        }
    }
}
