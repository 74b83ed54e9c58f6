package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "unset", description = "Removes a setting from an export's .cfg (back to its default)")
public class UnsetCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Argument(index = 1, name = "key", description = "setting", required = true)
    @Completion(KeyCompleter.class)
    String key;

    @Override
    void run() throws Refused {
        if (!export(name).settings().containsKey(key)) {
            throw new Refused("export '" + name + "' has no setting '" + key + "'");
        }
        change(name, key, null);
    }
}
