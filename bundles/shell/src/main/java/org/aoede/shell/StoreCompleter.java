package org.aoede.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes an export's {@code file}: paths as the file completer does, and the {@code rbd:}
 * scheme of an RBD image ({@code rbd:POOL/IMAGE[:id=USER][:conf=PATH]}).
 */
@Service
public class StoreCompleter implements Completer {
    private final FileCompleter files = new FileCompleter();

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        String word = line.getCursorArgument() == null ? "" : line.getCursorArgument()
                .substring(0, Math.min(line.getArgumentPosition(), line.getCursorArgument().length()));
        if (word.startsWith("rbd:")) {
            return -1;                             // pools and images are the cluster's: nothing to offer
        }
        if ("rbd:".startsWith(word) && !word.isEmpty()) {
            return new StringsCompleter(List.of("rbd:"), false).complete(session, line, candidates);
        }
        int r = files.complete(session, line, candidates);
        if (word.isEmpty()) {
            new StringsCompleter(List.of("rbd:"), false).complete(session, line, candidates);
        }
        return r;
    }
}
