package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.Freezer;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** aoe:freeze and aoe:unfreeze: one export name (completed), one Freezer call, its status printed. */
abstract class FreezeAction extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name", required = true)
    @Completion(ExportNameCompleter.class)
    String name;

    /** The Freezer call this command makes. */
    abstract Freezer.Status apply(Freezer f, String export) throws Refused;

    @Override
    void run() throws Refused {
        export(name);                               // "no export 'x'" before anything about freeze
        Freezer.Status s = apply(freezer(), name);
        System.out.println("export " + name + ": " + s.summary() + ", shadow " + s.shadow());
    }
}
