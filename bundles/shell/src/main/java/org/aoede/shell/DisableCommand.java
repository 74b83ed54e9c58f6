package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "disable", description = "Disables an export: it stops answering, its .cfg stays (enabled = false)")
public class DisableCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Override
    void run() throws Refused {
        export(name);
        change(name, "enabled", "false");
    }
}
