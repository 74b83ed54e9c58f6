package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.Freezer;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "freeze", description = "Freezes an export (extension freeze): acknowledged data is forced, then writes go to its shadow file and the image stays unchanged")
public class FreezeCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Override
    void run() throws Refused {
        export(name);
        Freezer.Status s = freezer().freeze(name);
        System.out.println("export " + name + ": " + s.summary() + ", shadow " + s.shadow());
    }
}
