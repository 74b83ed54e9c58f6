package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.Freezer;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "unfreeze", description = "Unfreezes an export: writes go to the image again and the shadow is merged back in the background (progress in aoe:show)")
public class UnfreezeCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Override
    void run() throws Refused {
        export(name);
        Freezer.Status s = freezer().unfreeze(name);
        System.out.println("export " + name + ": " + s.summary() + ", shadow " + s.shadow());
    }
}
