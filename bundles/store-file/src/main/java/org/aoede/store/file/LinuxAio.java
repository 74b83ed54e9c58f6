package org.aoede.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.aoede.api.IoRequest;
import org.aoede.api.ReplyRound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and aligned writes of a direct-mode store through Linux AIO (libaio, {@code libaio.so.1}):
 * {@link #submit} copies a request into an aligned native bounce buffer of one of its slots and
 * starts it with one {@code io_submit}; one completion thread per store reaps finished requests in
 * batches ({@code io_getevents}) and completes them, which sends their replies (together: a
 * {@link ReplyRound} per batch). The device sees as
 * many requests at once as the initiators send, with no thread per request.
 *
 * <p>Each request goes to the kernel at once. With {@code aoede.aio.batch=true}, a request that is
 * {@link IoRequest#batched()} (dispatched by a receive thread during a batch) is prepared in its
 * slot and held until {@link #submitBatchEnd()}, which starts all held requests with one
 * {@code io_submit}: on a virtual disk each {@code io_submit} notifies the device (a VM exit), so
 * that saves CPU, but the first requests of a batch wait for the last, and an idle device waits
 * with them (measured: about 8% less CPU per request, and 20% fewer IOPS when CPU is to spare; see
 * docs/benchmark.md). Requests started from elsewhere (a completion starting a queued request)
 * always go at once.
 *
 * <p>What AIO does not do well is served on a few helper threads instead, with the synchronous
 * {@link DirectIo} path: writes not aligned to the file system block (1 KiB frames at MTU 1500) need
 * a read-modify-write under DirectIo's block locks (two such writes to different sectors of one
 * block must not undo each other: the export orders only overlapping sectors), and a flush is an
 * {@code fdatasync} (IOCB_CMD_FDSYNC is refused by most file systems). The export submits a flush
 * only once every write received before it completed, so it covers them.
 *
 * <p>Its own descriptor on the file (O_DIRECT, O_DSYNC with {@code sync}): closing it drops the
 * process's POSIX locks on the file, as closing the channel does, so the store closes both together.
 */
final class LinuxAio implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxAio.class);
    /** Requests in the kernel at once per store (more wait in the store for a slot). */
    static final int DEPTH = Integer.getInteger("aoede.aio.depth", 256);
    /** Helper threads per store for unaligned writes and flushes (started on demand). */
    static final int HELPERS = Integer.getInteger("aoede.aio.helpers", 16);
    /** Holds batched requests until the end of their receive batch (default: one io_submit each). */
    static final boolean BATCH = Boolean.getBoolean("aoede.aio.batch");
    // <fcntl.h>; O_DIRECT differs between x86_64 and aarch64
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_DSYNC = 0x1000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_DIRECT = Platform.isARM() ? 0x10000 : 0x4000;
    private static final int EINTR = 4;
    // <linux/aio_abi.h>: struct iocb is 64 bytes, struct io_event 32 (little-endian field order)
    private static final int IOCB = 64;
    private static final int EVENT = 32;
    private static final short IOCB_CMD_PREAD = 0;
    private static final short IOCB_CMD_PWRITE = 1;
    private static final int EVENTS = 64;

    /** libaio: thin wrappers of the system calls that return {@code -errno}. */
    private static final class Lib {
        static {
            Native.register(Lib.class, NativeLibrary.getInstance("libaio.so.1"));
        }

        static native int io_setup(int maxevents, Pointer ctxp);

        static native int io_submit(long ctx, long nr, long iocbpp);

        static native int io_getevents(long ctx, long minNr, long nr, long events, long timeout);

        static native int io_destroy(long ctx);
    }

    private static final class Libc {
        static {
            Native.register(Libc.class, "c");
        }

        static native int open(String path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int fdatasync(int fd) throws LastErrorException;
    }

    /** Loads libaio and checks that the kernel takes an AIO context; the reason if not. */
    static String unavailable() {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8) {
            return "Linux AIO needs 64-bit Linux";
        }
        try {
            Memory ctx = new Memory(8);
            ctx.setLong(0, 0);
            int r = Lib.io_setup(1, ctx);
            if (r < 0) {
                return "io_setup failed (errno " + -r + ")";
            }
            Lib.io_destroy(ctx.getLong(0));
            return null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return "libaio.so.1 not found (Debian package libaio1): " + e.getMessage();
        }
    }

    /** One request in progress: its iocb, its aligned bounce buffer, what to copy back. */
    private final class Slot implements Runnable {
        final int index;
        final long iocb;
        ByteBuffer bounce;
        long bounceAddress;
        IoRequest request;
        long pos;
        int skip;
        int span;

        Slot(int index) {
            this.index = index;
            this.iocb = iocbs.address + (long) index * IOCB;
        }

        void ensure(int bytes) {
            if (bounce == null || bounce.capacity() < bytes) {
                bounce = ByteBuffer.allocateDirect(Math.max(bytes, 16 * 1024) + align).alignedSlice(align);
                bounceAddress = Pointer.nativeValue(Native.getDirectBufferPointer(bounce));
            }
        }

        /** On a helper thread: an unaligned write (read-modify-write) or a flush. */
        @Override
        public void run() {
            IoRequest r = request;
            IOException failure = null;
            try {
                if (r.kind() == IoRequest.WRITE) {
                    direct.write(pos, r.data());
                } else {
                    fdatasync();
                }
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException(e);
            }
            finish(this, failure);
        }
    }

    private final Path file;
    private final int fd;
    private final int align;
    /** The store's window in the file, in bytes: a request's position is this plus its LBA's. */
    private final long offset;
    private final DirectIo direct;
    private final boolean batch;
    private final long ctx;
    private final Native64 iocbs;
    private final Native64 pointers;
    private final Slot[] slots;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    /** Requests that found no free slot, started as slots free up. */
    private final ArrayDeque<IoRequest> queued = new ArrayDeque<>();
    private final AtomicInteger inKernel = new AtomicInteger();
    /** Guards the held requests: their iocb pointers, prepared and counted in the kernel, not yet submitted. */
    private final Object heldLock = new Object();
    private final Native64 held;
    private int heldCount;
    private boolean heldClosed;
    /** io_submit calls and the requests they started (statistics, tests). */
    private final java.util.concurrent.atomic.LongAdder submitCalls = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder submitted = new java.util.concurrent.atomic.LongAdder();
    private final ThreadPoolExecutor helpers;
    private final Thread reaper;
    private volatile boolean closing;
    private boolean closed;

    /** Native memory that stays allocated as long as this object is reachable. */
    private static final class Native64 {
        final Memory memory;
        final long address;

        Native64(long bytes) {
            memory = new Memory(bytes);
            memory.clear();
            address = Pointer.nativeValue(memory);
        }
    }

    LinuxAio(Path file, boolean readOnly, boolean sync, int align, long offset, DirectIo direct, boolean batch)
            throws IOException {
        this.file = file;
        this.batch = batch;
        this.align = align;
        this.offset = offset;
        this.direct = direct;
        int flags = (readOnly ? O_RDONLY : O_RDWR) | O_DIRECT | O_CLOEXEC | (sync && !readOnly ? O_DSYNC : 0);
        try {
            this.fd = Libc.open(file.toString(), flags);
        } catch (LastErrorException e) {
            throw new IOException(file + ": cannot open for Linux AIO (errno " + e.getErrorCode() + ")");
        }
        Memory ctxp = new Memory(8);
        ctxp.setLong(0, 0);
        int r = Lib.io_setup(DEPTH, ctxp);
        if (r < 0) {
            closeFd();
            throw new IOException(file + ": io_setup(" + DEPTH + ") failed (errno " + -r
                    + "; see /proc/sys/fs/aio-max-nr)");
        }
        this.ctx = ctxp.getLong(0);
        iocbs = new Native64((long) DEPTH * IOCB);
        pointers = new Native64((long) DEPTH * 8);
        held = new Native64((long) DEPTH * 8);
        slots = new Slot[DEPTH];
        for (int i = 0; i < DEPTH; i++) {
            slots[i] = new Slot(i);
            pointers.memory.setLong(i * 8L, slots[i].iocb);
            free.addLast(slots[i]);
        }
        AtomicInteger n = new AtomicInteger();
        String name = "aoede-aio-" + file.getFileName() + "-";
        helpers = new ThreadPoolExecutor(HELPERS, HELPERS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(DEPTH), t -> {
            Thread th = new Thread(t, name + "helper-" + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        helpers.allowCoreThreadTimeOut(true);
        reaper = new Thread(this::reap, name + "completions");
        reaper.setDaemon(true);
        reaper.start();
    }

    /**
     * Starts r (its sectors checked against the window by the store); completes it with an error if
     * it cannot be started. Any thread.
     */
    void submit(IoRequest r) {
        Slot s;
        synchronized (this) {
            if (closed) {
                s = null;
            } else {
                s = free.pollFirst();
                if (s == null) {
                    queued.addLast(r);          // more than DEPTH in flight: waits for a slot
                    return;
                }
            }
        }
        if (s == null) {
            r.completed(new IOException(file + " is closed"));
            return;
        }
        start(s, r, position(r), batch && r.batched());
    }

    /** Starts r in slot s: at once, or (hold) when {@link #submitBatchEnd()} is called. */
    private void start(Slot s, IoRequest r, long pos, boolean hold) {
        s.request = r;
        s.pos = pos;
        int kind = r.kind();
        if (kind == IoRequest.FLUSH) {
            helper(s);
            return;
        }
        ByteBuffer data = r.data();
        int len = data.remaining();
        if (kind == IoRequest.WRITE && (pos % align != 0 || len % align != 0)) {
            helper(s);                          // read-modify-write under DirectIo's block locks
            return;
        }
        long start = pos - pos % align;
        int span = (int) ((pos + len + align - 1) / align * align - start);
        s.skip = (int) (pos - start);
        s.span = span;
        s.ensure(span);
        short op;
        if (kind == IoRequest.WRITE) {
            s.bounce.clear();
            s.bounce.put(data.duplicate());
            op = IOCB_CMD_PWRITE;
        } else {
            op = IOCB_CMD_PREAD;
        }
        Memory m = iocbs.memory;
        long o = (long) s.index * IOCB;
        m.setLong(o, s.index);                  // aio_data: the slot
        m.setLong(o + 8, 0);                    // aio_key, aio_rw_flags
        m.setShort(o + 16, op);
        m.setShort(o + 18, (short) 0);
        m.setInt(o + 20, fd);
        m.setLong(o + 24, s.bounceAddress);
        m.setLong(o + 32, span);
        m.setLong(o + 40, start);
        m.setLong(o + 48, 0);
        m.setLong(o + 56, 0);                   // aio_flags, aio_resfd
        inKernel.incrementAndGet();
        if (hold) {
            synchronized (heldLock) {
                if (!heldClosed) {
                    held.memory.setLong(heldCount++ * 8L, s.iocb);
                    return;
                }
            }
            inKernel.decrementAndGet();
            finish(s, new IOException(file + " is closed"));
            return;
        }
        int n;
        do {
            n = Lib.io_submit(ctx, 1, pointers.address + (long) s.index * 8);
        } while (n == -EINTR);
        submitCalls.increment();
        if (n != 1) {
            inKernel.decrementAndGet();
            finish(s, new IOException(file + ": io_submit failed (" + (n < 0 ? "errno " + -n : "none taken") + ")"));
        } else {
            submitted.increment();
        }
    }

    /**
     * Starts the held requests with one {@code io_submit} (more only if the kernel takes fewer);
     * those it refuses are completed with an error. Any thread; nothing if none are held.
     */
    void submitBatchEnd() {
        int[] failed = null;
        int errno = 0;
        synchronized (heldLock) {
            int n = heldCount;
            if (n == 0) {
                return;
            }
            heldCount = 0;
            int i = 0;
            while (i < n) {
                int r = Lib.io_submit(ctx, n - i, held.address + i * 8L);
                if (r == -EINTR) {
                    continue;
                }
                submitCalls.increment();
                if (r <= 0) {
                    errno = -r;
                    break;
                }
                submitted.add(r);
                i += r;
            }
            if (i < n) {
                failed = new int[n - i];
                for (int k = i; k < n; k++) {
                    failed[k - i] = (int) ((held.memory.getLong(k * 8L) - iocbs.address) / IOCB);
                }
            }
        }
        if (failed != null) {
            for (int index : failed) {
                inKernel.decrementAndGet();
                finish(slots[index], new IOException(file + ": io_submit failed ("
                        + (errno > 0 ? "errno " + errno : "none taken") + ")"));
            }
        }
    }

    /** io_submit calls so far and the requests they started (statistics). */
    long submitCalls() {
        return submitCalls.sum();
    }

    long submitted() {
        return submitted.sum();
    }

    private void helper(Slot s) {
        try {
            helpers.execute(s);
        } catch (RejectedExecutionException e) {
            finish(s, new IOException(file + " is closed"));
        }
    }

    private void fdatasync() throws IOException {
        while (true) {
            try {
                Libc.fdatasync(fd);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new IOException(file + ": fdatasync failed (errno " + e.getErrorCode() + ")");
                }
            }
        }
    }

    /** The completion thread: reaps up to {@link #EVENTS} at a time until closed and nothing is in the kernel. */
    private void reap() {
        Native64 events = new Native64((long) EVENTS * EVENT);
        Native64 timeout = new Native64(16);
        timeout.memory.setLong(0, 0);
        timeout.memory.setLong(8, 100_000_000L);   // wake up every 100 ms to notice a close
        while (!closing || inKernel.get() > 0) {
            int n = Lib.io_getevents(ctx, 1, EVENTS, events.address, timeout.address);
            if (n == -EINTR || n == 0) {
                continue;
            }
            if (n < 0) {
                LOG.error("{}: io_getevents failed (errno {}); requests in flight stay unanswered", file, -n);
                return;
            }
            ReplyRound round = ReplyRound.begin();  // the replies of this clump leave together
            try {
                reaped(events, n);
            } catch (RuntimeException e) {
                // A bug while completing must not end this thread: the other requests still need it.
                LOG.error("{}: completing requests failed", file, e);
            } finally {
                try {
                    round.end();
                } catch (RuntimeException e) {
                    LOG.error("{}: sending a round of replies failed", file, e);
                }
            }
        }
    }

    /** Completes the n requests the kernel reported done in events. */
    private void reaped(Native64 events, int n) {
        for (int i = 0; i < n; i++) {
            inKernel.decrementAndGet();             // after the submitter's increment: sees its slot's fields
            long e = (long) i * EVENT;
            Slot s = slots[(int) events.memory.getLong(e)];
            long res = events.memory.getLong(e + 16);
            IOException failure = null;
            if (res < 0) {
                failure = new IOException(file + ": " + (s.request.kind() == IoRequest.READ ? "read" : "write")
                        + " at " + s.pos + " failed (errno " + -res + ")");
            } else if (res != s.span) {
                failure = new IOException(file + ": short " + (s.request.kind() == IoRequest.READ ? "read" : "write")
                        + " at " + s.pos + " (" + res + " of " + s.span + " bytes)");
            } else if (s.request.kind() == IoRequest.READ) {
                ByteBuffer dst = s.request.data();
                int len = dst.remaining();
                s.bounce.clear().position(s.skip).limit(s.skip + len);
                dst.put(s.bounce);
            }
            finish(s, failure);
        }
    }

    /** Frees s (starting a queued request in it) and completes its request. */
    private void finish(Slot s, IOException failure) {
        IoRequest r = s.request;
        s.request = null;
        IoRequest next;
        synchronized (this) {
            next = closed ? null : queued.pollFirst();
            if (next == null) {
                free.addFirst(s);
            }
        }
        r.completed(failure);                   // no reference kept to r from here on
        if (next != null) {
            start(s, next, position(next), false);
        }
    }

    private long position(IoRequest r) {
        return r.kind() == IoRequest.FLUSH ? 0 : offset + r.lba() * 512;
    }

    /** Requests in the kernel now (tests). */
    int inKernel() {
        return inKernel.get();
    }

    /**
     * Waits (bounded) for requests in the kernel, ends the threads and the AIO context, fails what
     * is still queued, and closes its descriptor.
     */
    @Override
    public void close() {
        IoRequest[] left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            left = queued.toArray(new IoRequest[0]);
            queued.clear();
        }
        for (IoRequest r : left) {
            r.completed(new IOException(file + " is closed"));
        }
        int[] unsent;
        synchronized (heldLock) {
            heldClosed = true;
            unsent = new int[heldCount];
            for (int k = 0; k < heldCount; k++) {
                unsent[k] = (int) ((held.memory.getLong(k * 8L) - iocbs.address) / IOCB);
            }
            heldCount = 0;
        }
        for (int index : unsent) {
            inKernel.decrementAndGet();
            finish(slots[index], new IOException(file + " is closed"));
        }
        helpers.shutdown();
        try {
            helpers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        try {
            reaper.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reaper.isAlive()) {
            LOG.warn("{}: {} request(s) still in the kernel after 10 s; closing anyway", file, inKernel.get());
        }
        Lib.io_destroy(ctx);                    // waits for what the kernel still has
        closeFd();
    }

    private void closeFd() {
        try {
            Libc.close(fd);
        } catch (LastErrorException ignored) {
            // nothing left to release
        }
    }
}
