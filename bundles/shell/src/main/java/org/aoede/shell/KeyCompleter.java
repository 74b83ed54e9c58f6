package org.aoede.shell;

import java.util.List;

import org.aoede.api.ExportAdmin;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the keys an export's .cfg may hold. */
@Service
public class KeyCompleter implements Completer {
    @Reference
    ExportAdmin admin;

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        return new StringsCompleter(admin.keys().keySet()).complete(session, line, candidates);
    }
}
