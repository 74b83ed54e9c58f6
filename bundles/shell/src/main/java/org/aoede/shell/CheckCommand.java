package org.aoede.shell;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.aoede.api.ExportAdmin;
import org.aoede.api.ExportAdmin.Refused;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.felix.utils.properties.TypedProperties;
import org.apache.karaf.shell.support.completers.FileCompleter;

@Service
@Command(scope = "aoe", name = "check", description = "Checks an export's .cfg file as aoe:create would, "
        + "without applying it: prints ok, or the key and the reason")
public class CheckCommand extends AoeAction {
    @Argument(index = 0, name = "file", description = "a .cfg file (the export's name is NAME of org.aoede.export-NAME.cfg)",
            required = true)
    @Completion(FileCompleter.class)
    String file;

    @Override
    void run() throws Refused {
        Path p = Path.of(file).toAbsolutePath().normalize();
        Map<String, String> settings = read(p);
        List<String> warnings = admin.check(name(p), settings);
        System.out.println("ok");
        warn(warnings);
    }

    /** NAME of org.aoede.export-NAME.cfg; any other file is checked under its base name. */
    static String name(Path p) {
        String n = p.getFileName().toString();
        String prefix = ExportAdmin.FACTORY_PID + "-";
        n = n.endsWith(".cfg") ? n.substring(0, n.length() - 4) : n;
        return n.startsWith(prefix) ? n.substring(prefix.length()) : n;
    }

    /** The key/values as FileInstall reads a .cfg: with Felix's TypedProperties, in the file's order. */
    static Map<String, String> read(Path p) throws Refused {
        TypedProperties props = new TypedProperties();
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException | RuntimeException e) {
            throw new Refused("cannot read " + p + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        props.forEach((k, v) -> out.put(k, v instanceof Object[] a ? String.join(",", java.util.Arrays.stream(a)
                .map(String::valueOf).toList()) : String.valueOf(v).trim()));
        return out;
    }
}
