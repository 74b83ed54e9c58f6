package org.aoede.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyTextTest {
    private final ExportStats.Latency latency =
            new ExportStats.Latency(new long[] {100, 1000, 2_000_000}, new long[] {98, 1, 0, 1});

    @Test
    void quantileIsTheBoundOfItsBucket() {
        assertEquals("<=100us", LatencyText.ASCII.quantile(latency, 0.5));
        assertEquals("<=1ms", LatencyText.ASCII.quantile(latency, 0.99));
        assertEquals(">2s", LatencyText.ASCII.quantile(latency, 1.0));
        assertEquals("\u2264 100 \u00b5s", LatencyText.UNICODE.quantile(latency, 0.5));
        assertEquals("> 2 s", LatencyText.UNICODE.quantile(latency, 1.0));
    }

    @Test
    void noSamplesNoHistogram() {
        ExportStats.Latency empty = new ExportStats.Latency(new long[] {100}, new long[] {0, 0});
        assertEquals("-", LatencyText.ASCII.quantile(empty, 0.5));
        assertEquals("-", LatencyText.ASCII.quantile(null, 0.5));
        assertEquals("", LatencyText.UNICODE.quantile(empty, 0.5));
        assertEquals("", LatencyText.UNICODE.quantile(new ExportStats.Latency(new long[0], new long[] {3}), 0.5));
    }

    @Test
    void bucketsAndUnits() {
        long[] b = latency.boundsMicros();
        assertEquals("<=1ms", LatencyText.ASCII.bucket(b, 1));
        assertEquals(">2s", LatencyText.ASCII.bucket(b, 3));
        assertEquals("1500us", LatencyText.ASCII.micros(1500));
        assertEquals("3 ms", LatencyText.UNICODE.micros(3000));
    }
}
