package org.aoede.shell;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.ExportInfo;
import org.aoede.api.ExportState;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "aoe", name = "create", description = "Creates an export (as vblade SHELF SLOT NETIF FILENAME) "
        + "and writes it to etc/org.aoede.export-NAME.cfg")
public class CreateCommand extends AoeAction {
    @Argument(index = 0, name = "name", description = "export name (NAME of etc/org.aoede.export-NAME.cfg)", required = true)
    String name;

    @Argument(index = 1, name = "shelf", description = "shelf address, 0-65534 (not 4095)", required = true)
    String shelf;

    @Argument(index = 2, name = "slot", description = "slot address, 0-254", required = true)
    String slot;

    @Argument(index = 3, name = "interfaces", description = "network interface(s), comma separated", required = true)
    @Completion(InterfaceCompleter.class)
    String interfaces;

    @Argument(index = 4, name = "file", description = "file or block device to export, or an RBD image: "
            + "rbd:POOL/IMAGE[:id=USER][:conf=/etc/ceph/ceph.conf]", required = true)
    @Completion(StoreCompleter.class)
    String file;

    @Argument(index = 5, name = "options", description = "the options may also follow the file", multiValued = true)
    List<String> trailing;

    @Option(name = "-r", aliases = "--read-only", description = "refuse writes")
    boolean readOnly;

    @Option(name = "-d", aliases = "--direct", description = "O_DIRECT: bypass the page cache")
    boolean direct;

    @Option(name = "-s", aliases = "--sync", description = "O_DSYNC: on stable storage before the reply")
    boolean sync;

    @Option(name = "-o", aliases = "--offset", description = "window start in sectors")
    String offset;

    @Option(name = "-l", aliases = "--length", description = "window length in sectors (0 = to the end)")
    String length;

    @Option(name = "-b", aliases = "--buffer-count", description = "buffer count advertised to initiators, 1-1024")
    String bufferCount;

    @Option(name = "-m", aliases = "--allowed-macs", description = "MAC mask list, comma separated (empty = everyone)")
    String allowedMacs;

    @Option(name = "-c", aliases = "--config-string", description = "initial AoE config string")
    String configString;

    @Override
    void run() throws Refused {
        List<String> extra = trailingOptions(trailing);
        if (!extra.isEmpty()) {
            throw new Refused("unexpected argument(s) " + extra + " (usage: aoe:create NAME SHELF SLOT INTERFACES FILE [options])");
        }
        Map<String, String> s = settings();
        List<String> warnings = admin.create(name, s);
        ExportInfo e = await(name, x -> x != null && x.state() != ExportState.NEW && x.state() != ExportState.PROBING);
        System.out.println("export " + name + ": e" + shelf + "." + slot + " on " + interfaces + ", " + s.get("file")
                + " -> etc/org.aoede.export-" + name + ".cfg" + (e == null ? "" : " (" + e.status() + ")"));
        warn(warnings);
    }

    /** The .cfg keys these arguments and options give; options not given are left to their defaults. */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("shelf", shelf);
        s.put("slot", slot);
        s.put("interfaces", interfaces);
        s.put("file", file == null ? null : file.startsWith("rbd:") ? file       // an RBD image, not a path
                : Path.of(file).toAbsolutePath().normalize().toString());
        if (readOnly) {
            s.put("read-only", "true");
        }
        if (direct) {
            s.put("direct", "true");
        }
        if (sync) {
            s.put("sync", "true");
        }
        put(s, "offset", offset);
        put(s, "length", length);
        put(s, "buffer-count", bufferCount);
        put(s, "allowed-macs", allowedMacs);
        put(s, "config-string", configString);
        return s;
    }

    private static void put(Map<String, String> s, String key, String value) {
        if (value != null) {
            s.put(key, value);
        }
    }
}
