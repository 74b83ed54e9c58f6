package org.aoede.shell;

import java.util.List;
import java.util.stream.Collectors;

import org.aoede.api.ExportAdmin;
import org.aoede.api.ExportInfo;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the names of the exports. */
@Service
public class ExportNameCompleter implements Completer {
    @Reference
    ExportAdmin admin;

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        List<String> names = admin.exports().stream().map(ExportInfo::name).collect(Collectors.toList());
        return new StringsCompleter(names).complete(session, line, candidates);
    }
}
