package org.aoede.shell;

import org.aoede.api.PortInfo;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "aoe", name = "ports", description = "Statistics per network interface")
public class PortsCommand extends AoeAction {
    @Override
    void run() {
        ShellTable t = new ShellTable().emptyTableText("no interfaces in use");
        t.column("Interface");
        t.column("Transport");
        t.column("Up");
        t.column("MAC");
        t.column("MTU").alignRight();
        t.column("Sectors").alignRight();
        t.column("Exports");
        t.column("Frames in").alignRight();
        t.column("Frames out").alignRight();
        t.column("Send failures").alignRight();
        t.column("Ignored").alignRight();
        for (PortInfo p : admin.ports()) {
            t.addRow().addContent(p.name(), p.transport(), p.up() ? "yes" : "no", Fmt.orDash(p.mac()), p.mtu(),
                    p.maxSectors(), p.exports().isEmpty() ? "-" : String.join(",", p.exports()), p.framesIn(),
                    p.framesOut(), p.sendFailures(), p.ignored());
        }
        t.print(System.out);
    }
}
