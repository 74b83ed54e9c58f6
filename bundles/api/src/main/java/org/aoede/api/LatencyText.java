package org.aoede.api;

/**
 * A latency histogram's numbers as text: the shell writes {@link #ASCII} ({@code <=100us},
 * {@code >2s}), the web console {@link #UNICODE} ({@code ≤ 100 µs}, {@code > 2 s}). A quantile is
 * shown as the bound of the bucket holding it ({@link ExportStats.Latency#quantileMicros}).
 */
public final class LatencyText {
    public static final LatencyText ASCII = new LatencyText("<=", ">", "", "us", "-");
    public static final LatencyText UNICODE = new LatencyText("\u2264 ", "> ", " ", "\u00b5s", "");

    private final String atMost;
    private final String over;
    private final String space;
    private final String micro;
    private final String none;

    private LatencyText(String atMost, String over, String space, String micro, String none) {
        this.atMost = atMost;
        this.over = over;
        this.space = space;
        this.micro = micro;
        this.none = none;
    }

    /** The bucket bound of the q-quantile (0..1); the "none" text without samples or histogram. */
    public String quantile(ExportStats.Latency latency, double q) {
        if (latency == null) {
            return none;
        }
        long us = latency.quantileMicros(q);
        if (us < 0) {
            return none;
        }
        return us == Long.MAX_VALUE ? bucket(latency.boundsMicros(), latency.boundsMicros().length) : atMost + micros(us);
    }

    /** The label of bucket {@code i} of a histogram with these bounds: at most its bound, or over the last one. */
    public String bucket(long[] boundsMicros, int i) {
        if (i < boundsMicros.length) {
            return atMost + micros(boundsMicros[i]);
        }
        return boundsMicros.length == 0 ? none : over + micros(boundsMicros[boundsMicros.length - 1]);
    }

    /** Microseconds in the largest whole unit: {@code 100us}, {@code 5ms}, {@code 2s}. */
    public String micros(long us) {
        if (us >= 1_000_000 && us % 1_000_000 == 0) {
            return us / 1_000_000 + space + "s";
        }
        if (us >= 1000 && us % 1000 == 0) {
            return us / 1000 + space + "ms";
        }
        return us + space + micro;
    }
}
