package org.aoede.initiator;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicLong;

/** verify and bench: pipelined loops over one export. Submits happen on the calling thread only. */
final class Workloads {
    private Workloads() {
    }

    /**
     * Writes the seed's pattern to every selected frame-sized chunk, then reads each back and compares.
     * Returns the number of bad sectors plus failed requests (0 = all good).
     */
    static long verify(AoeClient c, TargetInfo t, long capacity, long seed, long frames, PrintStream out) throws IOException {
        return verify(c, t, capacity, seed, frames, true, 1, 0, out);
    }

    /**
     * As above; {@code write=false} only reads back (a pattern written before with the same seed),
     * {@code readPasses} times and for at least {@code minSeconds}: a long read phase, e.g. while
     * the export is switched read-only.
     */
    static long verify(AoeClient c, TargetInfo t, long capacity, long seed, long frames, boolean write, int readPasses,
                       double minSeconds, PrintStream out) throws IOException {
        return verify(c, t, 0, capacity, seed, frames, write, readPasses, minSeconds, 1, 0, out);
    }

    /**
     * The sectors [first, first + sectors) only, {@code generations} times: generation g writes
     * the pattern of seed + g and reads it back, so an older generation's write that lands late
     * (a delayed duplicate) reads back as a mismatch. {@code settleMs} > 0: after the last
     * generation, waits that long (the latest late copy is sent by then) and reads back once more.
     */
    static long verify(AoeClient c, TargetInfo t, long first, long sectors, long seed, long frames, boolean write,
                       int readPasses, double minSeconds, int generations, long settleMs, PrintStream out)
            throws IOException {
        int spf = c.sectorsPerFrame(t);
        long end = first + sectors;
        long total = (sectors + spf - 1) / spf;
        long[] chunks = select(total, frames, seed);
        AtomicLong errors = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        long t0 = System.nanoTime();
        long s = seed;
        for (int g = 0; g < Math.max(1, generations); g++) {
            s = seed + g;
            if (write) {
                writeAll(c, t, first, end, spf, chunks, s, errors, out);
            }
            for (int pass = 0; pass < readPasses || (readPasses > 0 && System.nanoTime() - t0 < minSeconds * 1e9); pass++) {
                readAll(c, t, first, end, spf, chunks, s, errors, mismatches, out);
            }
        }
        if (settleMs > 0) {
            try {
                Thread.sleep(settleMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
            readAll(c, t, first, end, spf, chunks, s, errors, mismatches, out);
        }

        double secs = (System.nanoTime() - t0) / 1e9;
        long count = 0;
        for (long chunk : chunks) {
            count += Math.min(spf, end - (first + chunk * spf));
        }
        out.printf("verify target=%s seed=%d frames=%d sectors=%d generations=%d mismatches=%d errors=%d retransmits=%d stale=%d seconds=%.2f%n",
                t.address(), seed, chunks.length, count, Math.max(1, generations), mismatches.get(), errors.get(),
                c.retransmits(), c.staleReplies(), secs);
        return mismatches.get() + errors.get();
    }

    private static void writeAll(AoeClient c, TargetInfo t, long first, long end, int spf, long[] chunks, long seed,
                                 AtomicLong errors, PrintStream out) throws IOException {
        Phaser writes = new Phaser(1);
        for (long chunk : chunks) {
            long lba = first + chunk * spf;
            int n = (int) Math.min(spf, end - lba);
            writes.register();
            c.writeAsync(t, lba, Pattern.of(seed, lba, n), 0, n).whenComplete((v, e) -> {
                if (e != null) {
                    report(out, errors, "write-error lba=" + lba + " " + AoeClient.asIo(e).getMessage());
                }
                writes.arriveAndDeregister();
            });
        }
        writes.arriveAndAwaitAdvance();
    }

    private static void readAll(AoeClient c, TargetInfo t, long first, long end, int spf, long[] chunks, long seed,
                                AtomicLong errors, AtomicLong mismatches, PrintStream out) throws IOException {
        Phaser reads = new Phaser(1);
        for (long chunk : chunks) {
            long lba = first + chunk * spf;
            int n = (int) Math.min(spf, end - lba);
            reads.register();
            c.readAsync(t, lba, n).whenComplete((data, e) -> {
                try {
                    if (e != null) {
                        report(out, errors, "read-error lba=" + lba + " " + AoeClient.asIo(e).getMessage());
                        return;
                    }
                    byte[] want = Pattern.of(seed, lba, n);
                    for (int k = 0; k < n; k++) {
                        if (!Arrays.equals(data, k * 512, k * 512 + 512, want, k * 512, k * 512 + 512)) {
                            report(out, mismatches, "mismatch lba=" + (lba + k));
                        }
                    }
                } finally {
                    reads.arriveAndDeregister();
                }
            });
        }
        reads.arriveAndAwaitAdvance();
    }

    /** Only the first few problems are printed; all are counted. */
    private static void report(PrintStream out, AtomicLong counter, String line) {
        if (counter.incrementAndGet() <= 20) {
            synchronized (out) {
                out.println(line);
            }
        }
    }

    /** All chunk indexes (frames < 0 or >= total), else {@code frames} distinct random ones. */
    static long[] select(long total, long frames, long seed) {
        if (frames < 0 || frames >= total) {
            long[] all = new long[(int) total];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        SplittableRandom r = new SplittableRandom(seed);
        Set<Long> picked = new LinkedHashSet<>();
        while (picked.size() < frames) {
            picked.add(r.nextLong(total));
        }
        return picked.stream().mapToLong(Long::longValue).toArray();
    }

    /** Runs one pattern for {@code seconds} with the client's window as queue depth; returns the error count. */
    static long bench(AoeClient c, TargetInfo t, long capacity, String pattern, int sectors, int qd, double seconds,
                      PrintStream out) throws IOException {
        return bench(c, t, capacity, pattern, sectors, qd, 0, seconds, out);
    }

    /**
     * As above, after {@code warmupSeconds} of the same workload that are not measured (the JIT of
     * both ends settles); the line then also says {@code warmup_ios}, so that a target's CPU time
     * over the whole run can be divided by every request it served.
     */
    static long bench(AoeClient c, TargetInfo t, long capacity, String pattern, int sectors, int qd, double warmupSeconds,
                      double seconds, PrintStream out) throws IOException {
        long warmupIos = 0;
        if (warmupSeconds > 0) {
            Run w = run(c, t, capacity, pattern, sectors, qd, warmupSeconds);
            warmupIos = w.completed + w.errors;
        }
        Run r = run(c, t, capacity, pattern, sectors, qd, seconds);
        out.printf("bench target=%s pattern=%s sectors=%d qd=%d seconds=%.2f ios=%d iops=%.0f mbps=%.2f p50_us=%d p99_us=%d retransmits=%d stale=%d errors=%d%s%n",
                t.address(), pattern, sectors, qd, r.secs, r.completed, r.completed / r.secs,
                r.completed * sectors * 512.0 / r.secs / 1e6, r.p50 / 1000, r.p99 / 1000, r.retransmits, r.stale, r.errors,
                warmupSeconds > 0 ? " warmup_ios=" + warmupIos : "");
        return r.errors;
    }

    private record Run(long completed, long errors, double secs, long p50, long p99, long retransmits, long stale) {
    }

    /**
     * {@code qd} lanes, each one request in flight: a completion (on the link's receive thread)
     * issues that lane's next request at once, so the requests answered by one received batch go
     * out together with the link's one {@code sendmmsg} at the end of the batch, and the initiator
     * costs little per request. The lanes end at the deadline.
     */
    private static Run run(AoeClient c, TargetInfo t, long capacity, String pattern, int sectors, int qd, double seconds)
            throws IOException {
        boolean write = pattern.endsWith("write");
        boolean random = pattern.startsWith("rand");
        if (!pattern.matches("(rand|seq)(read|write)")) {
            throw new IllegalArgumentException("--pattern must be randread, randwrite, seqread or seqwrite");
        }
        long slots = capacity / sectors;
        if (slots < 1) {
            throw new IllegalArgumentException("export smaller than one request");
        }
        byte[] data = Pattern.of(42, 0, sectors);
        Latencies lat = new Latencies();
        AtomicLong errors = new AtomicLong();
        AtomicLong seq = new AtomicLong();
        Phaser inflight = new Phaser(1);
        long retransmitsBefore = c.retransmits();
        long staleBefore = c.staleReplies();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        SplittableRandom root = new SplittableRandom(1);
        for (int i = 0; i < Math.max(1, qd); i++) {
            SplittableRandom rnd = root.split();       // one per lane: a lane runs on one thread at a time
            inflight.register();
            new Object() {
                void issue() {
                    if (System.nanoTime() >= end) {
                        inflight.arriveAndDeregister();
                        return;
                    }
                    long lba = (random ? rnd.nextLong(slots) : seq.getAndIncrement() % slots) * sectors;
                    long start = System.nanoTime();
                    try {
                        (write ? c.writeAsync(t, lba, data, 0, sectors) : c.readAsync(t, lba, sectors)).whenComplete((v, e) -> {
                            if (e != null) {
                                errors.incrementAndGet();
                            } else {
                                lat.add(System.nanoTime() - start);
                            }
                            issue();
                        });
                    } catch (IOException | RuntimeException e) {
                        errors.incrementAndGet();
                        inflight.arriveAndDeregister();
                    }
                }
            }.issue();
        }
        inflight.arriveAndAwaitAdvance();
        double secs = (System.nanoTime() - t0) / 1e9;
        long n = lat.count();
        return new Run(n, errors.get(), secs, lat.percentile(50), lat.percentile(99),
                c.retransmits() - retransmitsBefore, c.staleReplies() - staleBefore);
    }

    /** Latencies in ns, appended from the receive thread. */
    static final class Latencies {
        private long[] v = new long[1 << 16];
        private int n;

        synchronized void add(long ns) {
            if (n == v.length) {
                v = Arrays.copyOf(v, n * 2);
            }
            v[n++] = ns;
        }

        synchronized long count() {
            return n;
        }

        synchronized long percentile(double p) {
            if (n == 0) {
                return 0;
            }
            long[] s = Arrays.copyOf(v, n);
            Arrays.sort(s);
            return s[(int) Math.max(0, Math.min(n - 1, Math.ceil(p / 100.0 * n) - 1))];
        }
    }
}
