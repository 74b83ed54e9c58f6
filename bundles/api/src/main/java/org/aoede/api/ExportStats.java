package org.aoede.api;

import java.util.Map;

/**
 * Counters of one export (or one interface) since it started.
 *
 * @param requests     requests answered or dropped after addressing matched
 * @param reads        ATA read commands
 * @param writes       ATA write commands
 * @param bytesRead    sector bytes sent
 * @param bytesWritten sector bytes written
 * @param errors       errors by kind (e.g. "ata-idnf", "ata-abrt", "aoe-2", "io", and what extensions
 *                     report through {@link ExtensionContext#error}, e.g. "crc-mismatch")
 * @param drops        requests dropped by kind (e.g. "masked", "short", "broadcast")
 * @param info         informational counters and gauges, neither errors nor drops: the store's and its
 *                     wrappers' statistics (e.g. "cache-hits", "freeze-state") and extension events
 *                     (e.g. "tag-replay"); an alert on errors never fires on these
 * @param duplicates   requests whose (source, tag) repeated one seen just before: retransmissions
 * @param latency      the latency histogram
 */
public record ExportStats(long requests, long reads, long writes, long bytesRead, long bytesWritten,
                          Map<String, Long> errors, Map<String, Long> drops, Map<String, Long> info, long duplicates,
                          Latency latency) {

    /**
     * A fixed-bucket latency histogram (receive to reply handed to the transport).
     *
     * @param boundsMicros upper bounds of the buckets in µs; the last bucket is unbounded
     * @param counts       one more entry than bounds
     */
    public record Latency(long[] boundsMicros, long[] counts) {
        public long total() {
            long t = 0;
            for (long c : counts) {
                t += c;
            }
            return t;
        }

        /** The upper bound of the bucket holding the q-quantile (0..1), in µs; -1 if empty, Long.MAX_VALUE past the last bound. */
        public long quantileMicros(double q) {
            long total = total();
            if (total == 0) {
                return -1;
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return i < boundsMicros.length ? boundsMicros[i] : Long.MAX_VALUE;
                }
            }
            return Long.MAX_VALUE;
        }
    }
}
