package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.ExportInfo;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "reset-live", description = "Puts the configured config string and mask list back "
        + "into the live state and releases the reservation")
public class ResetLiveCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Override
    void run() throws Refused {
        admin.resetLive(name);
        ExportInfo e = export(name);
        System.out.println("config-string (live): " + Fmt.orDash(e.live().configString()));
        System.out.println("mask list (live):     " + Fmt.macs(e.live().mask(), "(everyone)"));
        System.out.println("reservation (live):   " + Fmt.macs(e.live().reservation(), "(none)"));
    }
}
