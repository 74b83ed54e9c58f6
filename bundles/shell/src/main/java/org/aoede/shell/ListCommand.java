package org.aoede.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.aoede.api.ExportInfo;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "aoe", name = "list", description = "Lists the exports")
public class ListCommand extends AoeAction {
    @Override
    void run() {
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
