package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.ExportInfo;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "delete", description = "Stops an export and deletes its .cfg (the backing file stays)")
public class DeleteCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Override
    void run() throws Refused {
        ExportInfo e = export(name);
        admin.delete(name);
        await(name, x -> x == null);
        System.out.println("export " + name + " deleted (" + e.source() + " removed; " + e.settings().get("file") + " kept)");
    }
}
