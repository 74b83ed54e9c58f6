package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "enable", description = "Enables an export (enabled = true in its .cfg)")
public class EnableCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Override
    void run() throws Refused {
        export(name);
        change(name, "enabled", "true");
    }
}
