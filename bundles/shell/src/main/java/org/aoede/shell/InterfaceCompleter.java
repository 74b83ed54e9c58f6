package org.aoede.shell;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the names of the appliance's network interfaces (loopback left out). */
@Service
public class InterfaceCompleter implements Completer {
    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        List<String> names;
        try {
            names = NetworkInterface.networkInterfaces().filter(i -> !loopback(i))
                    .map(NetworkInterface::getName).sorted().collect(Collectors.toList());
        } catch (SocketException e) {
            names = List.of();
        }
        return new StringsCompleter(names).complete(session, line, candidates);
    }

    private static boolean loopback(NetworkInterface i) {
        try {
            return i.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}
