package org.aoede.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.aoede.api.ExportStats;

/**
 * Counters of one export, updated from the receive threads without locks (LongAdder cells)
 * and without allocation: error and drop kinds are fixed slots, latency a fixed histogram.
 */
final class Stats {
    enum Error { ATA_IDNF, ATA_ABRT, ATA_UNC, AOE_1, AOE_2, AOE_4, AOE_5, AOE_6, IO, TIMEOUT }

    enum Drop { MASKED, SHORT, BROADCAST, STOPPED, NO_MATCH, BUSY }

    static final long[] BOUNDS_MICROS = {10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000,
            50_000, 100_000, 1_000_000};
    private static final int RECENT = 64;

    final LongAdder requests = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    private final LongAdder[] errors = adders(Error.values().length);
    private final LongAdder[] drops = adders(Drop.values().length);
    private final LongAdder[] latency = adders(BOUNDS_MICROS.length + 1);
    /** Events counted by extensions (e.g. "crc-mismatch"); few kinds, created on first use. */
    private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> extension = new java.util.concurrent.ConcurrentHashMap<>();
    /** Errors reported by extensions (e.g. "crc-mismatch"). */
    private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> extensionErrors = new java.util.concurrent.ConcurrentHashMap<>();
    /** Fingerprints of recent requests: a repeat is a retransmission (or a duplicated frame). */
    private final long[] recent = new long[RECENT];
    private int next;

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void error(Error e) {
        errors[e.ordinal()].increment();
    }

    /** Counters of the export's store (a cache's hits and misses), read at each snapshot. */
    volatile java.util.function.Supplier<Map<String, Long>> gauges = Map::of;

    void extensionError(String what) {
        extensionErrors.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    void extension(String what) {
        extension.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    void drop(Drop d) {
        drops[d.ordinal()].increment();
    }

    void latencyNanos(long nanos) {
        long micros = nanos / 1000;
        int i = 0;
        while (i < BOUNDS_MICROS.length && micros > BOUNDS_MICROS[i]) {
            i++;
        }
        latency[i].increment();
    }

    /**
     * Remembers a request's fingerprint (source, command, LBA, count) and counts a repeat of one
     * of the last {@value #RECENT}: the Linux driver retransmits with a new tag, so the tag alone
     * cannot tell. Racy by design between threads: a lost update costs one count, never a lock.
     */
    boolean seen(long src, int command, long lba, int count) {
        long f = src * 0x9E3779B97F4A7C15L ^ (lba * 31 + count) * 0xC2B2AE3D27D4EB4FL ^ command;
        if (f == 0) {
            f = 1;
        }
        for (long r : recent) {
            if (r == f) {
                duplicates.increment();
                return true;
            }
        }
        int i = next;
        recent[i] = f;
        next = (i + 1) % RECENT;
        return false;
    }

    ExportStats snapshot() {
        Map<String, Long> e = new LinkedHashMap<>();
        for (Error k : Error.values()) {
            // every kind, zeros too: a Prometheus series should exist before its first increment
            e.put(k.name().toLowerCase().replace('_', '-'), errors[k.ordinal()].sum());
        }
        extensionErrors.forEach((k, v) -> e.put(k, v.sum()));
        Map<String, Long> info = new LinkedHashMap<>(gauges.get());
        extension.forEach((k, v) -> info.put(k, v.sum()));
        Map<String, Long> d = new LinkedHashMap<>();
        for (Drop k : Drop.values()) {
            d.put(k.name().toLowerCase().replace('_', '-'), drops[k.ordinal()].sum());
        }
        long[] counts = new long[latency.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = latency[i].sum();
        }
        return new ExportStats(requests.sum(), reads.sum(), writes.sum(), bytesRead.sum(), bytesWritten.sum(),
                e, d, info, duplicates.sum(), new ExportStats.Latency(BOUNDS_MICROS.clone(), counts));
    }
}
