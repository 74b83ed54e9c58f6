package org.aoede.shell;

import org.aoede.api.Json;
import org.aoede.api.LatencyText;
import org.aoede.api.PortInfo;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "aoe", name = "ports", description = "Statistics per network interface")
public class PortsCommand extends AoeAction {
    @Option(name = "--json", description = "machine-readable output: JSON as the web console's data.json")
    boolean json;

    @Override
    void run() {
        if (json) {
            printJson(admin.ports().stream().map(Json::port).toList());
            return;
        }
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
        t.column("Requests").alignRight();
        t.column("Read").alignRight();
        t.column("Written").alignRight();
        t.column("Errors");
        t.column("Drops");
        t.column("Dups").alignRight();
        t.column("p50").alignRight();
        t.column("p99").alignRight();
        for (PortInfo p : admin.ports()) {
            var s = p.stats();
            t.addRow().addContent(p.name(), p.transport(), p.up() ? "yes" : "no", Fmt.orDash(p.mac()), p.mtu(),
                    p.maxSectors(), p.exports().isEmpty() ? "-" : String.join(",", p.exports()), p.framesIn(),
                    p.framesOut(), p.sendFailures(), p.ignored(), s.requests(), Fmt.bytes(s.bytesRead()),
                    Fmt.bytes(s.bytesWritten()), Fmt.kinds(s.errors()), Fmt.kinds(s.drops()), s.duplicates(),
                    LatencyText.ASCII.quantile(s.latency(), 0.5), LatencyText.ASCII.quantile(s.latency(), 0.99));
        }
        t.print(System.out);
    }
}
