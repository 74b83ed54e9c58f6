package org.aoede.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import javax.management.openmbean.TabularData;

import org.aoede.api.ExportInfo;
import org.aoede.api.ExportState;
import org.aoede.api.ExportStats;
import org.aoede.api.PortInfo;
import org.junit.jupiter.api.Test;

class PrometheusFormatTest {
    static ExportInfo export() {
        ExportStats stats = new ExportStats(100, 60, 30, 60 * 1024, 30 * 1024, Map.of("ata-idnf", 2L),
                Map.of("masked", 5L), Map.of("freeze-state", 1L), 3, new ExportStats.Latency(new long[] {10, 100, 1000}, new long[] {1, 50, 40, 9}));
        return new ExportInfo("disk1", "etc/org.aoede.export-disk1.cfg", Map.of(), ExportState.SERVING,
                "(last edit refused: key 'sync': not a boolean)", "key 'sync': not a boolean", "e1.0", 2048,
                new ExportInfo.Live("", List.of(), List.of()), Map.of("52:54:00:12:34:56", 1L), stats);
    }

    static PortInfo port() {
        return new PortInfo("eth1", "pcap", true, "02:00:00:00:00:01", 1500, 2, List.of("disk1"), 120, 110, 1, 7);
    }

    static String text(List<ExportInfo> e, List<PortInfo> p) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusFormat.write(out, PrometheusFormat.snapshots(e, p));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countersHistogramAndLabels() throws Exception {
        String t = text(List.of(export()), List.of(port()));
        String l = "{address=\"e1.0\",export=\"disk1\"}";
        assertTrue(t.contains("# TYPE aoede_export_requests_total counter\n"), t);
        assertTrue(t.contains("aoede_export_requests_total" + l + " 100.0\n"), t);
        assertTrue(t.contains("aoede_export_reads_total" + l + " 60.0\n"), t);
        assertTrue(t.contains("aoede_export_writes_total" + l + " 30.0\n"), t);
        assertTrue(t.contains("aoede_export_read_bytes_total" + l + " 61440.0\n"), t);
        assertTrue(t.contains("aoede_export_written_bytes_total" + l + " 30720.0\n"), t);
        assertTrue(t.contains("aoede_export_duplicates_total" + l + " 3.0\n"), t);
        assertTrue(t.contains("aoede_export_errors_total{address=\"e1.0\",export=\"disk1\",kind=\"ata-idnf\"} 2.0\n"), t);
        assertTrue(t.contains("aoede_export_drops_total{address=\"e1.0\",export=\"disk1\",kind=\"masked\"} 5.0\n"), t);
        assertTrue(t.contains("aoede_export_info{address=\"e1.0\",export=\"disk1\",state=\"serving\",store=\"file\"} 1\n"), t);
        assertTrue(t.contains("aoede_export_up" + l + " 1.0\n"), "serving with a refused edit still answers: " + t);
        assertTrue(t.contains("aoede_export_edit_refused" + l + " 1.0\n"), t);
        // informational values are not errors: an alert on errors must not fire on a freeze
        assertTrue(t.contains("aoede_export_stat{address=\"e1.0\",export=\"disk1\",kind=\"freeze-state\"} 1.0\n"), t);
        assertTrue(!t.contains("aoede_export_errors_total{address=\"e1.0\",export=\"disk1\",kind=\"freeze-state\"}"), t);
        // classic histogram: cumulative buckets in seconds, +Inf = total
        assertTrue(t.contains("# TYPE aoede_export_latency_seconds histogram\n"), t);
        assertTrue(t.contains("aoede_export_latency_seconds_bucket{address=\"e1.0\",export=\"disk1\",le=\"1.0E-5\"} 1\n"), t);
        assertTrue(t.contains("aoede_export_latency_seconds_bucket{address=\"e1.0\",export=\"disk1\",le=\"1.0E-4\"} 51\n"), t);
        assertTrue(t.contains("aoede_export_latency_seconds_bucket{address=\"e1.0\",export=\"disk1\",le=\"0.001\"} 91\n"), t);
        assertTrue(t.contains("aoede_export_latency_seconds_bucket{address=\"e1.0\",export=\"disk1\",le=\"+Inf\"} 100\n"), t);
        assertTrue(t.contains("aoede_export_latency_seconds_count" + l + " 100\n"), t);
        String p = "{interface=\"eth1\",transport=\"pcap\"}";
        assertTrue(t.contains("aoede_interface_frames_received_total" + p + " 120.0\n"), t);
        assertTrue(t.contains("aoede_interface_frames_sent_total" + p + " 110.0\n"), t);
        assertTrue(t.contains("aoede_interface_send_failures_total" + p + " 1.0\n"), t);
        assertTrue(t.contains("aoede_interface_ignored_frames_total" + p + " 7.0\n"), t);
        assertTrue(t.contains("aoede_interface_mtu" + p + " 1500.0\n"), t);
    }

    @Test
    void upFollowsTheTypedStateNotItsText() throws Exception {
        for (ExportState s : ExportState.values()) {
            ExportInfo e = export();
            e = new ExportInfo(e.name(), e.source(), e.settings(), s, "serving? no: just a detail", "", e.address(),
                    e.sectors(), e.live(), e.clients(), e.stats());
            String t = text(List.of(e), List.of());
            String l = "{address=\"e1.0\",export=\"disk1\"}";
            assertTrue(t.contains("aoede_export_up" + l + (s == ExportState.SERVING ? " 1.0\n" : " 0.0\n")), s + ": " + t);
            assertTrue(t.contains("state=\"" + s.label() + "\""), t);
        }
    }

    @Test
    void nothingConfiguredIsStillValid() throws Exception {
        String t = text(List.of(), List.of());
        assertTrue(t.isEmpty() || !t.contains("{"), t);
    }

    @Test
    void mbeanAttributesFollowTheSnapshot() throws Exception {
        ExportInfo[] current = {export()};
        StatsMBean<ExportInfo> m = new StatsMBean<>("x", "export disk1", "d", () -> current[0], JmxExporter.exportAttrs());
        assertEquals(100L, m.getAttribute("Requests"));
        assertEquals("e1.0", m.getAttribute("Address"));
        assertEquals(2L, m.getAttribute("Errors"));
        assertEquals(100L, m.getAttribute("LatencyP50Micros"));
        assertEquals(1000L, m.getAttribute("LatencyP90Micros"));
        assertEquals(Long.MAX_VALUE, m.getAttribute("LatencyP99Micros"));
        TabularData drops = (TabularData) m.getAttribute("DropsByKind");
        assertEquals(5L, drops.get(new Object[] {"masked"}).get("count"));
        assertEquals(m.getMBeanInfo().getAttributes().length, m.getAttributes(
                java.util.Arrays.stream(m.getMBeanInfo().getAttributes()).map(a -> a.getName()).toArray(String[]::new)).size());
        current[0] = null;
        org.junit.jupiter.api.Assertions.assertThrows(javax.management.AttributeNotFoundException.class, () -> m.getAttribute("Requests"));
        StatsMBean<PortInfo> pm = new StatsMBean<>("x", "interface eth1", "d", PrometheusFormatTest::port, JmxExporter.portAttrs());
        assertEquals(120L, pm.getAttribute("FramesIn"));
        assertEquals(true, pm.getAttribute("Up"));
        assertEquals("org.aoede:type=Interface,name=eth1", JmxExporter.objectName("Interface", "eth1"));
        assertEquals("org.aoede:type=Interface,name=\"a:b\"", JmxExporter.objectName("Interface", "a:b"));
    }
}
