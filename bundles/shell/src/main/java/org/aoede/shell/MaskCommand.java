package org.aoede.shell;

import java.util.ArrayList;
import java.util.List;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.ExportInfo;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "mask", description = "Shows or edits the configured MAC mask list (allowed-macs); "
        + "shows the live list too. An edit replaces the live list.")
public class MaskCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Argument(index = 1, name = "edits", description = "--add MAC, --remove MAC, --clear may also follow the name",
            multiValued = true)
    List<String> trailing;

    @Option(name = "-a", aliases = "--add", description = "MAC to allow", multiValued = true)
    List<String> add;

    @Option(name = "-r", aliases = "--remove", description = "MAC to remove from the list", multiValued = true)
    List<String> remove;

    @Option(name = "--clear", description = "empty the list (everyone is answered)")
    boolean clear;

    @Override
    void run() throws Refused {
        List<String> extra = trailingOptions(trailing);
        if (!extra.isEmpty()) {
            throw new Refused("unexpected argument(s) " + extra + " (usage: aoe:mask NAME [--add MAC]... [--remove MAC]... [--clear])");
        }
        ExportInfo e = export(name);
        if (clear || add != null || remove != null) {
            List<String> next = edit(Fmt.list(e.settings().get("allowed-macs")), add, remove, clear);
            String value = next.isEmpty() ? null : String.join(",", next);
            admin.update(name, single("allowed-macs", value));
            e = awaitSetting(name, "allowed-macs", value);
        }
        System.out.println("configured: " + Fmt.macs(Fmt.list(e.settings().get("allowed-macs")), "(everyone)"));
        System.out.println("live:       " + Fmt.macs(e.live().mask(), "(everyone)"));
    }

    /** The new list: cleared first, then removals, then additions (no duplicates, order kept). */
    static List<String> edit(List<String> current, List<String> add, List<String> remove, boolean clear) throws Refused {
        List<String> out = new ArrayList<>();
        if (!clear) {
            for (String m : current) {
                out.add(Fmt.mac(m));
            }
        }
        if (remove != null) {
            for (String m : remove) {
                if (!out.remove(Fmt.mac(m))) {
                    throw new Refused("MAC " + m + " is not in the configured mask list");
                }
            }
        }
        if (add != null) {
            for (String m : add) {
                if (!out.contains(Fmt.mac(m))) {
                    out.add(Fmt.mac(m));
                }
            }
        }
        return out;
    }
}
