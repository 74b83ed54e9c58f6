package org.aoede.shell;

import java.util.List;
import java.util.Map;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.ExportInfo;
import org.aoede.api.ExportStats;
import org.aoede.api.Json;
import org.aoede.api.LatencyText;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "aoe", name = "show", description = "Shows an export: configuration, live state, statistics, clients")
public class ShowCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Argument(index = 1, name = "options", description = "--json may also follow the name", multiValued = true)
    List<String> trailing;

    @Option(name = "--json", description = "machine-readable output: JSON as the web console's data.json")
    boolean json;

    @Override
    void run() throws Refused {
        List<String> extra = trailingOptions(trailing);
        if (!extra.isEmpty()) {
            throw new Refused("unexpected argument(s) " + extra + " (usage: aoe:show [--json] NAME)");
        }
        ExportInfo e = export(name);
        if (json) {
            printJson(ListCommand.withFreeze(Json.export(e), freezeStatus(name)));
            return;
        }
        System.out.println("Export " + e.name() + " (" + e.source() + ")");
        System.out.println("  address  " + Fmt.orDash(e.address()));
        System.out.println("  state    " + e.status());
        System.out.println("  size     " + Fmt.size(e.sectors()) + (e.sectors() < 0 ? "" : " (" + e.sectors() + " sectors)"));
        String file = e.settings().get("file");
        System.out.println("  store    " + (file != null && file.startsWith("rbd:")
                ? "Ceph RBD image " + file.substring("rbd:".length()) : "file " + Fmt.orDash(file)));
        freezeStatus(name).ifPresent(f -> System.out.println("  freeze   " + f.summary()
                + (f.state() == org.aoede.api.Freezer.State.NORMAL ? "" : ", shadow " + f.shadow())
                + (f.limitSectors() > 0 ? ", limit " + Fmt.size(f.limitSectors()) : "")));

        System.out.println();
        System.out.println("Configuration (the .cfg; unlisted keys have their defaults)");
        ShellTable cfg = new ShellTable();
        cfg.column("Key");
        cfg.column("Value").maxSize(80);
        e.settings().forEach((k, v) -> cfg.addRow().addContent(k, v));
        cfg.print(System.out);

        System.out.println();
        System.out.println("Live state (changed by initiators; aoe:reset-live puts the configured values back)");
        Map<String, String> s = e.settings();
        ShellTable live = new ShellTable();
        live.column("");
        live.column("Configured").maxSize(60);
        live.column("Live").maxSize(60);
        live.addRow().addContent("config-string", Fmt.orDash(s.get("config-string")), Fmt.orDash(e.live().configString()));
        live.addRow().addContent("mask list", Fmt.macs(Fmt.list(s.get("allowed-macs")), "(everyone)"),
                Fmt.macs(e.live().mask(), "(everyone)"));
        live.addRow().addContent("reservation", "-", Fmt.macs(e.live().reservation(), "(none)"));
        live.print(System.out);

        System.out.println();
        System.out.println("Statistics");
        ExportStats st = e.stats();
        ShellTable stats = new ShellTable().noHeaders();
        stats.column("");
        stats.column("");
        stats.addRow().addContent("requests", st.requests());
        stats.addRow().addContent("reads / writes", st.reads() + " / " + st.writes());
        stats.addRow().addContent("bytes read / written", Fmt.bytes(st.bytesRead()) + " / " + Fmt.bytes(st.bytesWritten()));
        stats.addRow().addContent("errors", Fmt.kinds(st.errors()));
        stats.addRow().addContent("drops", Fmt.kinds(st.drops()));
        stats.addRow().addContent("other counters", Fmt.kinds(st.info()));
        stats.addRow().addContent("duplicates", st.duplicates());
        stats.addRow().addContent("latency p50 / p99", LatencyText.ASCII.quantile(st.latency(), 0.5) + " / " + LatencyText.ASCII.quantile(st.latency(), 0.99));
        stats.print(System.out);
        if (st.latency() != null && st.latency().total() > 0) {
            System.out.println("  latency histogram: " + histogram(st.latency()));
        }

        System.out.println();
        System.out.println("Clients");
        ShellTable clients = new ShellTable().emptyTableText("none seen");
        clients.column("MAC");
        clients.column("Last seen").alignRight();
        long now = System.currentTimeMillis();
        e.clients().forEach((mac, t) -> clients.addRow().addContent(mac, Math.max(0, (now - t) / 1000) + " s ago"));
        clients.print(System.out);
    }

    /** Non-empty buckets, e.g. {@code <=100us:12 <=1ms:3}. */
    static String histogram(ExportStats.Latency l) {
        StringBuilder sb = new StringBuilder();
        long[] b = l.boundsMicros();
        long[] c = l.counts();
        for (int i = 0; i < c.length; i++) {
            if (c[i] != 0) {
                String bucket = LatencyText.ASCII.bucket(b, i);
                sb.append(sb.length() == 0 ? "" : " ").append(bucket).append(':').append(c[i]);
            }
        }
        return sb.toString();
    }
}
