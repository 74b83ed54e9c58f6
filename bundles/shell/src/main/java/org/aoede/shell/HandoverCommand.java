package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "handover", description = "Hands an rbd: export over to a standby appliance: "
        + "this one stops answering, releases the image's lock and stands by")
public class HandoverCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Override
    void run() throws Refused {
        admin.handover(name);
        System.out.println(name + ": " + export(name).status());
    }
}
