package org.aoede.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.aoede.api.BlockStore;
import org.aoede.api.IoRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests in progress of one export whose store waits for a device. A store that
 * {@link BlockStore#submits()} (direct mode through Linux AIO) gets each request with
 * {@link BlockStore#submit} as soon as no earlier request holds it back, from the thread that
 * dispatched it, and completes it on its own completion thread, which makes and sends the reply. A
 * store that is only {@link BlockStore#asynchronous()} (sync, a block device without direct mode,
 * a wrapper such as cache or freeze) gets its calls from a small pool of I/O threads instead. Either
 * way the receive thread copies the request into a {@link Request} slot and goes on with the next
 * frame, the device sees as many requests at once as the initiators send, and replies leave as
 * requests complete, in any order.
 *
 * <p>Why Linux AIO for direct mode, and threads for the rest: with a pool every request cost a
 * hand-over to a thread and a blocking {@code pread} (futex wake-ups and context switches were a
 * quarter of the appliance's CPU on a disk, bench/results/results-2026-12-06-disk.md); submitting
 * through libaio halved the CPU per request (results-2026-12-06-disk-aio.md). io_uring did about as
 * well in fio here, but liburing's request calls are inline functions a JNA binding would have to
 * rewrite. Stores that wrap others, or have no asynchronous interface, keep their blocking calls
 * on the pool.
 *
 * <p>Rules, all decided under one lock of this export's (never shared with other exports):
 * <ul>
 * <li>Requests wait for every earlier request still in progress that they overlap where one of the
 * two writes: two writes to one LBA land in the order they arrived, and a read sees the writes
 * received before it. A FLUSH waits for every write received before it (and writes after it do not
 * wait for it): what was acknowledged before the flush is on stable storage when it is answered.
 * (DirectIo's striped block locks make each read-modify-write atomic, but two threads take them in
 * any order: they do not keep the order of arrival, this rule does.)</li>
 * <li>A request counts in the export's in-flight count until its reply was sent, so pause, stop and
 * reconfiguration wait for it.</li>
 * <li>A request not answered within the time-out ({@code aoede.io.timeout-ms}, 30 s) gets an ATA
 * error reply (UNC for a read, ABRT otherwise) and one log line per check; if its call is stuck in
 * the store, the pool gets a thread more meanwhile (up to twice its size), so the export goes on
 * serving the others. A request that waited behind it for an overlap stays behind it: an old write
 * landing after a newer one would be worse than an error. A submitted request keeps its slot until
 * its store completes it after all; that late completion sends nothing.</li>
 * </ul>
 */
final class AsyncIo {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncIo.class);
    static final int READ = 0;
    static final int WRITE = 1;
    static final int FLUSH = 2;
    /** I/O threads per export (started on demand, ended after a minute idle). */
    static final int THREADS = Integer.getInteger("aoede.io.threads", 16);
    static final long TIMEOUT_MS = Long.getLong("aoede.io.timeout-ms", 30_000);
    /** Request slots per advertised buffer: an export on two interfaces may see twice its buffer count. */
    static final int SLOTS_PER_BUFFER = 4;

    /**
     * One request handed to the I/O threads or, for a store that {@link BlockStore#submits()}, to the
     * store itself: a copy of its frame and room for its reply.
     */
    static final class Request implements Runnable, IoRequest {
        final AsyncIo io;
        /** The extension context of its reply hooks (the port's own belongs to the receive thread). */
        final Call call;
        int kind;
        long lba;
        int count;
        Port port;
        BlockStore store;
        /** Run the reply hooks for this initiator at completion; null: none (no extensions). */
        Initiator initiator;
        long start;
        long submitted;
        /** The request frame (position 0, limit its length) and a view of it for the store call. */
        ByteBuffer request = ByteBuffer.allocate(0);
        ByteBuffer requestData = request;
        /** The reply, and a view of it the store reads into (the watchdog may read the header meanwhile). */
        ByteBuffer reply = ByteBuffer.allocate(0);
        ByteBuffer replyData = reply;
        /** Handed to the pool (no earlier overlapping request in progress); under the lock. */
        boolean dispatched;
        /** Its reply (or the time-out's) was sent, or it was dropped: exactly once. */
        final AtomicBoolean answered = new AtomicBoolean();
        volatile boolean started;
        /** Timed out while its store call was running: the pool got a thread more for it. */
        boolean stuck;
        /** Goes to {@link BlockStore#submit} instead of the I/O threads (set before {@link AsyncIo#submit}). */
        boolean submits;
        /** What the store reads into or writes from ({@link #data()}), set before {@link AsyncIo#submit}. */
        ByteBuffer data;
        /**
         * Submitted on a receive thread during a batch whose end calls {@link BlockStore#submitBatchEnd}
         * ({@link IoRequest#batched()}); cleared when it has to wait, since another thread starts it then.
         */
        boolean batched;
        /** The next request to hand to the store once the lock is released (an intrusive list). */
        Request nextReady;

        Request(AsyncIo io) {
            this.io = io;
            this.call = new Call(null);
        }

        /** Room for a frame of {@code bytes} in both buffers (they grow once per size, then are reused). */
        void ensure(int requestBytes, int replyBytes) {
            if (request.capacity() < requestBytes) {
                request = ByteBuffer.allocate(Math.max(requestBytes, 1024));
                requestData = request.duplicate();
            }
            if (reply.capacity() < replyBytes) {
                reply = ByteBuffer.allocate(Math.max(replyBytes, 1024));
                replyData = reply.duplicate();
            }
            request.clear();
            reply.clear();
        }

        @Override
        public int kind() {
            return kind;
        }

        @Override
        public long lba() {
            return lba;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public ByteBuffer data() {
            return data;
        }

        @Override
        public boolean batched() {
            return batched;
        }

        /** The store is done with it (any thread): its reply, unless the time-out sent one; then the slot is free. */
        @Override
        public void completed(IOException error) {
            try {
                io.export.ata.completed(this, error);
            } catch (RuntimeException e) {
                LOG.error("export {}: completing a request failed", io.export.name(), e);
            } finally {
                io.start(io.finished(this));
            }
        }

        @Override
        public void run() {
            started = true;
            try {
                if (!answered.get()) {              // timed out while queued: never touch the store late
                    io.export.ata.complete(this);
                }
            } catch (RuntimeException e) {
                LOG.error("export {}: request failed on an I/O thread", io.export.name(), e);
            } finally {
                io.start(io.finished(this));
            }
        }
    }

    final Export export;
    private final int threads;
    private final ThreadPoolExecutor pool;
    private final ArrayList<Request> order = new ArrayList<>();
    private final ArrayDeque<Request> free = new ArrayDeque<>();
    private int created;
    private int waiting;
    private int stuckThreads;
    private ScheduledFuture<?> watchdog;
    private ScheduledExecutorService timer;
    /** Shut down: requests not yet handed to a submitting store are dropped (as the pool refuses them). */
    private boolean shut;
    volatile long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    /** The watchdog's reply buffer (one watchdog thread). */
    private final ByteBuffer errorReply = ByteBuffer.allocate(65536 + 64);
    private final Call errorCall = new Call(null);

    AsyncIo(Export export, int threads) {
        this.export = export;
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        String name = "aoede-io-" + export.name() + "-";
        // A bounded array queue: no allocation per request; it holds every slot, so it never refuses.
        pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(SLOTS_PER_BUFFER * ExportSettings.MAX_BUFFER_COUNT), r -> {
                    Thread t = new Thread(r, name + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Checks for requests past the time-out on {@code timer}; none without a timer (never in the appliance). */
    synchronized void watch(ScheduledExecutorService timer) {
        if (timer == null || watchdog != null) {
            return;
        }
        this.timer = timer;
        long period = Math.max(10, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4));
        try {
            watchdog = timer.scheduleWithFixedDelay(this::expire, period, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the target is shutting down
        }
    }

    /** Sets the time-out (tests) and checks at a quarter of it. */
    synchronized void timeoutMillis(long ms) {
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(ms);
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
            watch(timer);
        }
    }

    /** A free request slot for {@code port}, or null if the export has {@link #SLOTS_PER_BUFFER} x buffer count in progress. */
    synchronized Request acquire(int bufferCount) {
        Request r = free.pollFirst();
        if (r == null && created < SLOTS_PER_BUFFER * bufferCount) {
            r = new Request(this);
            created++;
        }
        if (r != null) {
            r.answered.set(false);
            r.started = false;
            r.stuck = false;
            r.dispatched = false;
            r.submits = false;
            r.batched = false;
            r.nextReady = null;
        }
        return r;
    }

    /** A slot acquired but not submitted after all. */
    synchronized void release(Request r) {
        r.store = null;
        r.data = null;
        r.port = null;
        r.initiator = null;
        free.addFirst(r);
    }

    /**
     * Queues a filled request: to the pool or the store at once, or after the earlier requests it
     * overlaps. A submitting store's {@code submit} is called after this export's lock is released.
     */
    void submit(Request r) {
        Request ready = null;
        synchronized (this) {
            r.submitted = System.nanoTime();
            int i = order.size();
            order.add(r);
            if (blocked(i)) {
                r.batched = false;                      // started later by whoever finishes what it waits for
                waiting++;
            } else if (dispatch(r) && r.submits) {
                ready = r;
            }
        }
        start(ready);
    }

    /**
     * Hands r to the pool, or marks it for the store (the caller passes it to {@link #start} once the
     * lock is released); false if the export was shut down: r is dropped and gone.
     */
    private boolean dispatch(Request r) {
        r.dispatched = true;
        if (r.submits) {
            if (!shut) {
                return true;
            }
            drop(r);
            return false;
        }
        try {
            pool.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            drop(r);
            return false;
        }
    }

    private void drop(Request r) {
        if (r.answered.compareAndSet(false, true)) {
            export.ata.dropped(r);                      // no reply: the initiator retransmits
        }
        order.remove(r);
        release(r);
    }

    /**
     * Hands the requests of a list made by {@link #dispatch} to their store, without this export's
     * lock (a store may complete a request before {@code submit} returns).
     */
    void start(Request ready) {
        while (ready != null) {
            Request r = ready;
            ready = r.nextReady;
            r.nextReady = null;
            r.started = true;
            if (r.answered.get()) {
                r.completed(null);                      // timed out meanwhile: never touch the store late
            } else if (r.store != export.store) {
                // the store was replaced after a pause that gave up waiting: never use the old one
                if (r.answered.compareAndSet(false, true)) {
                    export.ata.dropped(r);
                }
                r.completed(null);
            } else {
                try {
                    r.store.submit(r);
                } catch (RuntimeException e) {
                    LOG.error("export {}: {} refused a request", export.name(), r.store.describe(), e);
                    r.completed(new IOException(e));
                }
            }
        }
    }

    /** True if order[i] overlaps an earlier request still in progress. */
    private boolean blocked(int i) {
        Request r = order.get(i);
        for (int j = 0; j < i; j++) {
            if (conflicts(order.get(j), r)) {
                return true;
            }
        }
        return false;
    }

    static boolean conflicts(Request earlier, Request later) {
        if (later.kind == FLUSH) {
            return earlier.kind == WRITE;
        }
        if (earlier.kind == FLUSH || (earlier.kind == READ && later.kind == READ)) {
            return false;
        }
        return earlier.lba < later.lba + later.count && later.lba < earlier.lba + earlier.count;
    }

    /**
     * Its store call returned or its store completed it (or it was skipped): free the slot, dispatch
     * what waited for it. Returns the requests now due to a submitting store, for {@link #start}.
     */
    synchronized Request finished(Request r) {
        order.remove(r);
        if (r.stuck) {
            stuckThreads--;
            pool.setCorePoolSize(pool.getCorePoolSize() - 1);
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() - 1);
        }
        release(r);
        return dispatchWaiting();
    }

    /** Dispatches the waiting requests no longer blocked; returns those due to a submitting store, in order. */
    private Request dispatchWaiting() {
        if (waiting == 0) {
            return null;
        }
        Request head = null;
        Request tail = null;
        for (int i = 0; i < order.size(); i++) {
            Request w = order.get(i);
            if (!w.dispatched && !blocked(i)) {
                waiting--;
                if (!dispatch(w)) {
                    i--;
                } else if (w.submits) {
                    if (head == null) {
                        head = w;
                    } else {
                        tail.nextReady = w;
                    }
                    tail = w;
                }
            }
        }
        return head;
    }

    /**
     * The watchdog: answers requests past the time-out with an ATA error. Under the lock, so that no
     * slot is reused while its error reply is built from it (time-outs are rare; the receive threads
     * wait for the lock only then).
     */
    void expire() {
        long now = System.nanoTime();
        long limit = timeoutNanos;
        int n = 0;
        String first = null;
        Request ready = null;
        synchronized (this) {
            boolean removed = false;
            for (int i = 0; i < order.size(); i++) {
                Request r = order.get(i);
                if (now - r.submitted <= limit || !r.answered.compareAndSet(false, true)) {
                    continue;
                }
                if (r.started && !r.submits && stuckThreads < threads) {
                    // stuck in the store: a thread more serves the others meanwhile (bounded)
                    r.stuck = true;
                    stuckThreads++;
                    pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
                    pool.setCorePoolSize(pool.getCorePoolSize() + 1);
                }
                if (first == null) {
                    first = kindName(r.kind) + " of " + r.count + " sectors at " + r.lba + " on "
                            + (r.store == null ? "the store" : r.store.describe())
                            + (r.started ? ", still waiting in the store" : ", not started");
                }
                export.ata.timedOut(r, errorReply, errorCall);
                n++;
                if (!r.dispatched) {
                    order.remove(i--);              // never started: gone for good
                    waiting--;
                    release(r);
                    removed = true;
                }
            }
            if (removed) {
                ready = dispatchWaiting();
            }
        }
        start(ready);
        if (n > 0) {
            LOG.warn("export {}: {} request(s) not completed within {} ms, answered with an ATA error (first: {})",
                    export.name(), n, TimeUnit.NANOSECONDS.toMillis(limit), first);
        }
    }

    private static String kindName(int kind) {
        return kind == READ ? "read" : kind == WRITE ? "write" : "flush";
    }

    /** Requests in progress or waiting (tests). */
    synchronized int pending() {
        return order.size();
    }

    /** Ends the threads once their requests are done (the export stopped). */
    synchronized void shutdown() {
        shut = true;
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
        pool.shutdown();
    }
}
