package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.Freezer;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "freeze", description = "Freezes an export (extension freeze): acknowledged data is forced, then writes go to its shadow file and the image stays unchanged")
public class FreezeCommand extends FreezeAction {
    @Override
    Freezer.Status apply(Freezer f, String export) throws Refused {
        return f.freeze(export);
    }
}
