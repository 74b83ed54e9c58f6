package org.aoede.shell;

import java.util.List;
import java.util.stream.Collectors;

import org.aoede.netif.NetInterface;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes the names of the appliance's network interfaces, loopback left out, as the kernel
 * lists them: also those without any IP address (a storage NIC often has none).
 */
@Service
public class InterfaceCompleter implements Completer {
    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        List<String> names;
        try {
            names = NetInterface.names().stream().filter(n -> !n.equals("lo")).sorted().collect(Collectors.toList());
        } catch (RuntimeException e) {
            names = List.of();
        }
        return new StringsCompleter(names).complete(session, line, candidates);
    }
}
