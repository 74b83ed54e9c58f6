package org.aoede.shell;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.Freezer;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "unfreeze", description = "Unfreezes an export: writes go to the image again and the shadow is merged back in the background (progress in aoe:show)")
public class UnfreezeCommand extends FreezeAction {
    @Override
    Freezer.Status apply(Freezer f, String export) throws Refused {
        return f.unfreeze(export);
    }
}
