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
@Command(scope = "aoe", name = "reserve", description = "Shows or sets the live reservation (as a reserve force set "
        + "from the wire; kept in the state file, not the .cfg)")
public class ReserveCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Argument(index = 1, name = "macs", description = "the hosts that may use the export (replaces the reservation)",
            multiValued = true)
    List<String> macs;

    @Option(name = "--clear", description = "release the reservation")
    boolean clear;

    @Override
    void run() throws Refused {
        export(name);
        List<String> macs = this.macs == null ? null : trailingOptions(this.macs);
        if (macs != null && macs.isEmpty()) {
            macs = null;
        }
        if (clear && macs != null) {
            throw new Refused("give either MACs or --clear");
        }
        if (clear || macs != null) {
            admin.reserve(name, clear ? List.of() : macs);
        }
        ExportInfo e = export(name);
        System.out.println("reservation (live): " + Fmt.macs(e.live().reservation(), "(none)"));
    }
}
