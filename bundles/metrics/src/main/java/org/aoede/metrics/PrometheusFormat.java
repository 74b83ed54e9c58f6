package org.aoede.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.aoede.api.ExportInfo;
import org.aoede.api.ExportStats;
import org.aoede.api.PortInfo;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Turns the management snapshots of {@link org.aoede.api.ExportAdmin} into Prometheus metric
 * snapshots. Nothing is counted here: every scrape reads the cumulative counters the target
 * keeps (they restart at 0 when an export restarts, which Prometheus treats as a counter reset).
 */
final class PrometheusFormat {
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private PrometheusFormat() {
    }

    static MetricSnapshots snapshots(List<ExportInfo> exports, List<PortInfo> ports) {
        List<MetricSnapshot> out = new ArrayList<>();
        // ---- exports ----
        InfoSnapshot.Builder info = InfoSnapshot.builder().name("aoede_export")
                .help("One series per configured export: its address, state and kind of store (file, rbd; value always 1)");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("aoede_export_up")
                .help("1 exactly when the export answers initiators (state serving), else 0");
        GaugeSnapshot.Builder refusedEdit = GaugeSnapshot.builder().name("aoede_export_edit_refused")
                .help("1 while the .cfg holds an edit that was refused: the export goes on with its last good "
                        + "settings but will not start after a restart until the file is fixed");
        GaugeSnapshot.Builder sectors = GaugeSnapshot.builder().name("aoede_export_sectors")
                .help("Size of the export in 512-byte sectors (-1 while the store is closed)");
        GaugeSnapshot.Builder clients = GaugeSnapshot.builder().name("aoede_export_clients")
                .help("Initiator MAC addresses seen by the export");
        for (ExportInfo e : exports) {
            Labels l = exportLabels(e);
            info.dataPoint(InfoDataPointSnapshot.builder().labels(l.add("state", e.state().label())
                    .add("store", storeKind(e))).build());
            up.dataPoint(gauge(l, e.state().answers() ? 1 : 0));
            refusedEdit.dataPoint(gauge(l, e.refusedEdit().isEmpty() ? 0 : 1));
            sectors.dataPoint(gauge(l, e.sectors()));
            clients.dataPoint(gauge(l, e.clients() == null ? 0 : e.clients().size()));
        }
        out.add(info.build());
        out.add(up.build());
        out.add(refusedEdit.build());
        out.add(sectors.build());
        out.add(clients.build());
        out.add(exportCounter(exports, "aoede_export_requests", "Requests addressed to the export (answered or dropped)",
                ExportStats::requests));
        out.add(exportCounter(exports, "aoede_export_reads", "ATA read commands", ExportStats::reads));
        out.add(exportCounter(exports, "aoede_export_writes", "ATA write commands", ExportStats::writes));
        out.add(exportCounter(exports, "aoede_export_read_bytes", "Sector bytes sent to initiators",
                ExportStats::bytesRead));
        out.add(exportCounter(exports, "aoede_export_written_bytes", "Sector bytes written to the store",
                ExportStats::bytesWritten));
        out.add(exportCounter(exports, "aoede_export_duplicates",
                "Requests whose (source, tag) repeated one seen just before: retransmissions", ExportStats::duplicates));
        out.add(kindCounter(exports, "aoede_export_errors",
                "Errors by kind (ata-idnf, ata-abrt, ata-unc, aoe-N, io, crc-mismatch, ...)", ExportStats::errors));
        out.add(kindCounter(exports, "aoede_export_drops",
                "Requests dropped without an answer, by kind (masked, short, broadcast, ...)", ExportStats::drops));
        out.add(kindGauge(exports, "aoede_export_stat",
                "Informational counters and gauges of the store, the cache, freeze and extensions, by kind "
                        + "(cache-hits, freeze-state, tag-replay, ...): neither errors nor drops", ExportStats::info));
        out.add(latency(exports));
        // ---- interfaces ----
        InfoSnapshot.Builder pinfo = InfoSnapshot.builder().name("aoede_interface")
                .help("One series per interface the appliance serves on (value always 1)");
        GaugeSnapshot.Builder pup = GaugeSnapshot.builder().name("aoede_interface_up")
                .help("1 while the interface is open and usable");
        GaugeSnapshot.Builder mtu = GaugeSnapshot.builder().name("aoede_interface_mtu").help("MTU of the interface");
        GaugeSnapshot.Builder maxSectors = GaugeSnapshot.builder().name("aoede_interface_max_sectors")
                .help("Sectors per frame advertised on the interface");
        GaugeSnapshot.Builder pexports = GaugeSnapshot.builder().name("aoede_interface_exports")
                .help("Exports answering on the interface");
        for (PortInfo p : ports) {
            Labels l = portLabels(p);
            pinfo.dataPoint(InfoDataPointSnapshot.builder()
                    .labels(l.add("mac", p.mac() == null ? "" : p.mac())
                            .add("exports", p.exports() == null ? "" : String.join(",", p.exports())))
                    .build());
            pup.dataPoint(gauge(l, p.up() ? 1 : 0));
            mtu.dataPoint(gauge(l, p.mtu()));
            maxSectors.dataPoint(gauge(l, p.maxSectors()));
            pexports.dataPoint(gauge(l, p.exports() == null ? 0 : p.exports().size()));
        }
        out.add(pinfo.build());
        out.add(pup.build());
        out.add(mtu.build());
        out.add(maxSectors.build());
        out.add(pexports.build());
        out.add(portCounter(ports, "aoede_interface_frames_received", "AoE frames received", PortInfo::framesIn));
        out.add(portCounter(ports, "aoede_interface_frames_sent", "Frames sent", PortInfo::framesOut));
        out.add(portCounter(ports, "aoede_interface_send_failures", "Frames the transport could not send",
                PortInfo::sendFailures));
        out.add(portCounter(ports, "aoede_interface_ignored_frames",
                "Frames received that no export on the interface was addressed by", PortInfo::ignored));
        return new MetricSnapshots(out);
    }

    static void write(OutputStream out, MetricSnapshots snapshots) throws IOException {
        PrometheusTextFormatWriter.create().write(out, snapshots);
    }

    /** {@code rbd} for an RBD image ({@code file = rbd:POOL/IMAGE}), else {@code file}. */
    static String storeKind(ExportInfo e) {
        String f = e.settings() == null ? null : e.settings().get("file");
        return f != null && f.startsWith("rbd:") ? "rbd" : "file";
    }

    private static Labels exportLabels(ExportInfo e) {
        return Labels.of("export", e.name(), "address", e.address() == null ? "" : e.address());
    }

    private static Labels portLabels(PortInfo p) {
        return Labels.of("interface", p.name(), "transport", p.transport() == null ? "" : p.transport());
    }

    private static GaugeDataPointSnapshot gauge(Labels l, double v) {
        return GaugeDataPointSnapshot.builder().labels(l).value(v).build();
    }

    private static CounterSnapshot exportCounter(List<ExportInfo> exports, String name, String help,
                                                 ToLongFunction<ExportStats> f) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (ExportInfo e : exports) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(exportLabels(e)).value(f.applyAsLong(e.stats())).build());
        }
        return b.build();
    }

    private static CounterSnapshot kindCounter(List<ExportInfo> exports, String name, String help,
                                               java.util.function.Function<ExportStats, Map<String, Long>> f) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (ExportInfo e : exports) {
            Map<String, Long> byKind = f.apply(e.stats());
            if (byKind == null) {
                continue;
            }
            for (Map.Entry<String, Long> k : byKind.entrySet()) {
                b.dataPoint(CounterDataPointSnapshot.builder().labels(exportLabels(e).add("kind", k.getKey()))
                        .value(k.getValue()).build());
            }
        }
        return b.build();
    }

    private static GaugeSnapshot kindGauge(List<ExportInfo> exports, String name, String help,
                                           java.util.function.Function<ExportStats, Map<String, Long>> f) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (ExportInfo e : exports) {
            Map<String, Long> byKind = f.apply(e.stats());
            if (byKind == null) {
                continue;
            }
            for (Map.Entry<String, Long> k : byKind.entrySet()) {
                b.dataPoint(gauge(exportLabels(e).add("kind", k.getKey()), k.getValue()));
            }
        }
        return b.build();
    }

    private static CounterSnapshot portCounter(List<PortInfo> ports, String name, String help, ToLongFunction<PortInfo> f) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (PortInfo p : ports) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(portLabels(p)).value(f.applyAsLong(p)).build());
        }
        return b.build();
    }

    /** The export's own fixed buckets, bounds in seconds; the last (unbounded) bucket becomes +Inf. */
    private static HistogramSnapshot latency(List<ExportInfo> exports) {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name("aoede_export_latency_seconds").unit(Unit.SECONDS)
                .help("Time from receiving a request to handing its reply to the transport");
        for (ExportInfo e : exports) {
            ExportStats.Latency lat = e.stats().latency();
            long[] bounds = lat.boundsMicros();
            long[] counts = lat.counts();
            double[] upper = new double[bounds.length + 1];
            long[] c = new long[bounds.length + 1];
            for (int i = 0; i < bounds.length; i++) {
                upper[i] = bounds[i] / 1e6;
                c[i] = i < counts.length ? counts[i] : 0;
            }
            upper[bounds.length] = Double.POSITIVE_INFINITY;
            long rest = 0;
            for (int i = bounds.length; i < counts.length; i++) {
                rest += counts[i];
            }
            c[bounds.length] = rest;
            b.dataPoint(HistogramDataPointSnapshot.builder().labels(exportLabels(e))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, c)).build());
        }
        return b.build();
    }
}
