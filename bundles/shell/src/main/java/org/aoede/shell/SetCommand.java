package org.aoede.shell;

import java.util.List;

import org.aoede.api.ExportAdmin.Refused;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "set", description = "Changes a setting of an export (written to its .cfg)")
public class SetCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    @Argument(index = 1, name = "key", description = "setting (see aoe:show, README)", required = true)
    @Completion(KeyCompleter.class)
    String key;

    @Argument(index = 2, name = "value", description = "new value (several words are joined)", required = true, multiValued = true)
    List<String> value;

    @Override
    void run() throws Refused {
        export(name);
        String v = join(key, value);
        change(name, key, v);
    }

    /** Words of a value: list keys join with commas, others with blanks. */
    static String join(String key, List<String> words) {
        boolean list = key.equals("interfaces") || key.equals("allowed-macs");
        return String.join(list ? "," : " ", words);
    }
}
