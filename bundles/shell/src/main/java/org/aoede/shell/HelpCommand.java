package org.aoede.shell;

import java.util.Comparator;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * The aoe commands and what they do, one a line; or the usage of one. Karaf's own {@code help aoe}
 * prints nothing without a terminal (bin/aoe, SSH exec), so scripts and CI ask this one.
 */
@Service
@Command(scope = "aoe", name = "help", description = "Lists the aoe commands with their descriptions, or shows the usage of one")
public class HelpCommand implements Action {
    @Argument(index = 0, name = "command", description = "a command (create, list, ...)")
    String command;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        if (command != null) {
            String c = command.startsWith("aoe:") ? command : "aoe:" + command;
            return session.execute(c + " --help");
        }
        var commands = session.getRegistry().getCommands().stream()
                .filter(c -> "aoe".equals(c.getScope()))
                .sorted(Comparator.comparing(org.apache.karaf.shell.api.console.Command::getName)).toList();
        int width = commands.stream().mapToInt(c -> c.getName().length()).max().orElse(0);
        for (var c : commands) {
            System.out.println(String.format("%-" + width + "s  %s", c.getName(), c.getDescription()));
        }
        return null;
    }
}
