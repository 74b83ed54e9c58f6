package org.aoede.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.aoede.api.ExportInfo;
import org.aoede.api.Json;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "aoe", name = "list", description = "Lists the exports")
public class ListCommand extends AoeAction {
    @Option(name = "--json", description = "machine-readable output: JSON as the web console's data.json")
    boolean json;

    @Override
    void run() {
        if (json) {
            List<Object> out = new ArrayList<>();
            for (ExportInfo e : admin.exports()) {
                out.add(withFreeze(Json.export(e), freezeStatus(e.name())));
            }
            printJson(out);
            return;
        }
        ShellTable t = new ShellTable().emptyTableText("no exports");
        t.column("Name");
        t.column("Address");
        t.column("Interfaces");
        t.column("File");
        t.column("Size").alignRight();
        t.column("State").maxSize(60).wrap();          // wrapped, never cut: the reason is the point
        t.column("Flags");
        t.column("Clients").alignRight();
        for (ExportInfo e : admin.exports()) {
            Map<String, String> s = e.settings();
            t.addRow().addContent(e.name(), Fmt.orDash(e.address()), Fmt.orDash(s.get("interfaces")),
                    Fmt.orDash(s.get("file")), Fmt.size(e.sectors()), e.status(), flags(s, freezeStatus(e.name())),
                    e.clients().size());
        }
        t.print(System.out);
    }

    /** The freeze extension's state of an export, as the web console shows it. */
    static Map<String, Object> withFreeze(Map<String, Object> m, java.util.Optional<org.aoede.api.Freezer.Status> freeze) {
        freeze.ifPresent(z -> m.put("freeze", Json.freeze(z)));
        return m;
    }

    /** vblade's flags that are on: ro, direct, sync; and off when disabled. */
    static String flags(Map<String, String> s) {
        return flags(s, java.util.Optional.empty());
    }

    /** ... and frozen or merging N% while the freeze extension says so. */
    static String flags(Map<String, String> s, java.util.Optional<org.aoede.api.Freezer.Status> freeze) {
        List<String> f = new ArrayList<>();
        if (on(s, "read-only")) {
            f.add("ro");
        }
        if (on(s, "direct")) {
            f.add("direct");
        }
        if (on(s, "sync")) {
            f.add("sync");
        }
        if ("false".equalsIgnoreCase(String.valueOf(s.get("enabled")).trim())) {
            f.add("off");
        }
        freeze.ifPresent(z -> {
            switch (z.state()) {
                case FROZEN -> f.add("frozen");
                case MERGING -> f.add("merging " + z.percent() + "%");
                default -> { }
            }
        });
        return f.isEmpty() ? "-" : String.join(",", f);
    }

    private static boolean on(Map<String, String> s, String key) {
        return "true".equalsIgnoreCase(String.valueOf(s.get(key)).trim());
    }
}
