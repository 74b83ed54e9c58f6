package org.aoede.shell;

import java.util.List;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.ExportInfo;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "config-string", description = "Shows the configured and live AoE config string, "
        + "or sets the configured one (written to the .cfg; replaces the live one)")
public class ConfigStringCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Argument(index = 1, name = "value", description = "new config string (several words are joined with blanks)",
            multiValued = true)
    List<String> value;

    @Option(name = "--clear", description = "remove the configured config string")
    boolean clear;

    @Override
    void run() throws Refused {
        ExportInfo e = export(name);
        List<String> value = this.value == null ? null : trailingOptions(this.value);
        if (value != null && value.isEmpty()) {
            value = null;
        }
        if (clear && value != null) {
            throw new Refused("give either a value or --clear");
        }
        if (clear || value != null) {
            String v = clear ? null : String.join(" ", value);
            admin.update(name, single("config-string", v));
            e = awaitSetting(name, "config-string", v);
        }
        System.out.println("configured: " + Fmt.orDash(e.settings().get("config-string")));
        System.out.println("live:       " + Fmt.orDash(e.live().configString()));
    }
}
