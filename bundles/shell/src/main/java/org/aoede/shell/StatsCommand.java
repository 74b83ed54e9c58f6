package org.aoede.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
@Command(scope = "aoe", name = "stats", description = "Statistics per export: requests, bytes, errors and drops by kind, "
        + "duplicates (retransmissions), latency p50/p99 from the histogram")
public class StatsCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name (all exports if left out)")
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
            throw new Refused("unexpected argument(s) " + extra + " (usage: aoe:stats [--json] [NAME])");
        }
        List<ExportInfo> exports = name == null ? admin.exports() : List.of(export(name));
        if (json) {
            List<Object> out = new ArrayList<>();
            for (ExportInfo e : exports) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", e.name());
                m.put("address", e.address());
                m.put("stats", Json.stats(e.stats()));
                out.add(m);
            }
            printJson(out);
            return;
        }
        ShellTable t = new ShellTable().emptyTableText("no exports");
        t.column("Name");
        t.column("Requests").alignRight();
        t.column("Reads").alignRight();
        t.column("Writes").alignRight();
        t.column("Read").alignRight();
        t.column("Written").alignRight();
        t.column("Errors").maxSize(40);
        t.column("Drops").maxSize(40);
        t.column("Dups").alignRight();
        t.column("p50").alignRight();
        t.column("p99").alignRight();
        for (ExportInfo e : exports) {
            ExportStats s = e.stats();
            t.addRow().addContent(e.name(), s.requests(), s.reads(), s.writes(), Fmt.bytes(s.bytesRead()),
                    Fmt.bytes(s.bytesWritten()), Fmt.kinds(s.errors()), Fmt.kinds(s.drops()), s.duplicates(),
                    LatencyText.ASCII.quantile(s.latency(), 0.5), LatencyText.ASCII.quantile(s.latency(), 0.99));
        }
        t.print(System.out);
    }
}
