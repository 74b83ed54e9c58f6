package org.aoede.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.aoede.api.ExportAdmin;
import org.aoede.api.ExportInfo;
import org.aoede.api.ExportStats;
import org.aoede.api.PortInfo;
import org.aoede.api.StoreSpec;
import org.aoede.netif.NetInterface;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.apache.felix.utils.properties.TypedProperties;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@link ExportAdmin} over Config Admin: a change is refused for whatever would refuse it as a .cfg
 * file (its settings, its address, its store) before anything is written; then it is stored in
 * the export's factory configuration with {@code felix.fileinstall.filename} set (as Karaf's
 * config:edit does), so FileInstall writes it to etc/org.aoede.export-NAME.cfg.
 */
@Component(service = ExportAdmin.class)
public class AdminService implements ExportAdmin {
    private static final String FILENAME = "felix.fileinstall.filename";

    @Reference
    ExportRegistry registry;

    @Reference
    ConfigurationAdmin configAdmin;

    /** What {@link ExportSettings#parse} fills in for a key left out, read from it so the two cannot drift apart. */
    private static final Map<String, String> DEFAULTS = defaultsOf();

    private static Map<String, String> defaultsOf() {
        ExportSettings s;
        try {
            s = ExportSettings.parse("defaults", Map.of("shelf", "0", "slot", "0", "interfaces", "eth0", "file", "/dev/null"));
        } catch (ExportSettings.Invalid e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> d = new LinkedHashMap<>();
        d.put("read-only", String.valueOf(s.readOnly()));
        d.put("direct", String.valueOf(s.direct()));
        d.put("sync", String.valueOf(s.sync()));
        d.put("offset", String.valueOf(s.offset()));
        d.put("length", String.valueOf(s.length()));
        d.put("buffer-count", String.valueOf(s.bufferCount()));
        d.put("allowed-macs", "");
        d.put("config-string", s.configString());
        d.put("transport", s.transport());
        d.put("enabled", String.valueOf(s.enabled()));
        d.put("model", s.model());
        d.put("serial", "AOEDE-{shelf}-{slot}"); // as ExportSettings.parse makes it
        d.put("extensions", "");
        d.put(ExportSettings.TAKEOVER_AFTER, String.valueOf(ExportSettings.DEFAULT_TAKEOVER_AFTER));
        return Collections.unmodifiableMap(d);
    }

    @Override
    public Map<String, String> keys() {
        return ExportSettings.KEYS;
    }

    @Override
    public Map<String, String> defaults() {
        return DEFAULTS;
    }

    @Override
    public List<ExportInfo> exports() {
        List<ExportInfo> out = new ArrayList<>();
        for (ExportComponent c : registry.components()) {
            out.add(info(c));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    @Override
    public Optional<ExportInfo> export(String name) {
        return component(name).map(AdminService::info);
    }

    @Override
    public List<PortInfo> ports() {
        List<PortInfo> out = new ArrayList<>();
        for (Port p : registry.portList()) {
            out.add(new PortInfo(p.name, p.transport, p.isUp(), Mac.format(p.mac()),
                    p.link() == null ? 0 : p.link().mtu(), p.maxSectors(), p.activeNames(),
                    p.framesIn.sum(), p.framesOut.sum(), p.sendFailures.sum(), p.ignored.sum(), p.stats.snapshot()));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    private Optional<ExportComponent> component(String name) {
        return registry.components().stream().filter(c -> name.equals(c.name)).findFirst();
    }

    static ExportInfo info(ExportComponent c) {
        ExportSettings s = c.settings;
        Export e = c.running;
        ExportInfo.Live live;
        Map<String, Long> clients = new LinkedHashMap<>();
        ExportStats stats;
        if (e != null) {
            LiveState l = e.live();
            live = new ExportInfo.Live(new String(l.configString(), java.nio.charset.StandardCharsets.UTF_8),
                    macs(l.mask()), macs(l.reservation()));
            e.clients.forEach((mac, t) -> clients.put(Mac.format(mac), t));
            stats = e.stats.snapshot();
        } else {
            live = new ExportInfo.Live(s == null ? "" : s.configString(), s == null ? List.of() : macs(s.allowedMacs()),
                    List.of());
            stats = new Stats().snapshot();
        }
        String refused = c.editRefused();
        return new ExportInfo(c.name, c.source, c.shown, c.state(), c.detail(), refused == null ? "" : refused,
                s == null ? "" : s.address(),
                e == null ? -1 : e.store.sectors(), live, clients, stats);
    }

    private static List<String> macs(long[] list) {
        List<String> out = new ArrayList<>();
        for (long m : list) {
            out.add(Mac.format(m));
        }
        return out;
    }

    // ---- changes ---------------------------------------------------------------------

    @Override
    public List<String> create(String name, Map<String, String> settings) throws Refused {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new Refused("export name '" + name + "': letters, digits, '_', '.', '-' (at most 64)");
        }
        if (component(name).isPresent() || configuration(name).isPresent()) {
            throw new Refused("export '" + name + "' exists already");
        }
        Map<String, String> clean = withoutBlanks(settings);
        List<String> warnings = check(name, clean);
        Path file = etc().resolve(FACTORY_PID + "-" + name + ".cfg");
        try {
            writeCfg(file, clean);
        } catch (IOException e) {
            throw new Refused("cannot store the configuration: " + e.getMessage());
        }
        try {
            Configuration cfg = configAdmin.getFactoryConfiguration(FACTORY_PID, name, "?");
            Dictionary<String, Object> d = new Hashtable<>(clean);
            d.put(FILENAME, uri(file));
            cfg.update(d);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);                   // no .cfg for an export that was not created
            throw new Refused("cannot store the configuration: " + e.getMessage());
        }
        return warnings;
    }

    @Override
    public List<String> update(String name, Map<String, String> changes) throws Refused {
        Configuration cfg = configuration(name).orElseThrow(() -> new Refused("no export '" + name + "'"));
        Dictionary<String, Object> old = cfg.getProperties();
        Map<String, String> merged = new LinkedHashMap<>();
        for (var keys = old.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!ExportSettings.isFrameworkKey(k)) {
                Object v = old.get(k);
                merged.put(k, v instanceof String[] a ? String.join(",", a) : String.valueOf(v));
            }
        }
        changes.forEach((k, v) -> {
            if (v == null || v.isBlank()) {
                merged.remove(k);
            } else {
                merged.put(k, v.trim());
            }
        });
        List<String> warnings = check(name, merged);
        Dictionary<String, Object> d = new Hashtable<>(merged);
        Object known = old.get(FILENAME);
        Path file = known != null ? Path.of(java.net.URI.create(known.toString()))
                : etc().resolve(FACTORY_PID + "-" + name + ".cfg");
        d.put(FILENAME, known != null ? known : uri(file));
        byte[] before = null;
        try {
            before = Files.exists(file) ? Files.readAllBytes(file) : null;
            writeCfg(file, merged);
            cfg.update(d);
        } catch (IOException | RuntimeException e) {
            restoreQuietly(file, before);          // the .cfg keeps its last good content
            throw new Refused("cannot store the configuration: " + e.getMessage());
        }
        return warnings;
    }

    @Override
    public void delete(String name) throws Refused {
        Configuration cfg = configuration(name).orElseThrow(() -> new Refused("no export '" + name + "'"));
        Object file = cfg.getProperties().get(FILENAME);
        try {
            cfg.delete();
            if (file != null) {
                // FileInstall removes it too; make sure the operator's truth agrees at once.
                Files.deleteIfExists(Path.of(java.net.URI.create(file.toString())));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new Refused("cannot delete the configuration: " + e.getMessage());
        }
    }

    @Override
    public void reserve(String name, List<String> macs) throws Refused {
        Export e = running(name);
        if (macs.size() > ExportSettings.MAX_MACS) {
            throw new Refused("at most " + ExportSettings.MAX_MACS + " addresses");
        }
        long[] list = new long[macs.size()];
        for (int i = 0; i < list.length; i++) {
            try {
                list[i] = Mac.parse(macs.get(i));
            } catch (IllegalArgumentException ex) {
                throw new Refused(ex.getMessage());
            }
        }
        e.live(e.live().withReservation(java.util.Arrays.stream(list).distinct().toArray()));
    }

    @Override
    public void resetLive(String name) throws Refused {
        Export e = running(name);
        ExportSettings s = e.settings;
        e.live(new LiveState(Config.bytes(s.configString()), s.allowedMacs(), new long[0]));
        registry.readvertise(e);
    }

    @Override
    public void handover(String name) throws Refused {
        ExportComponent c = component(name).orElseThrow(() -> new Refused("no export '" + name + "'"));
        try {
            registry.handover(c);
        } catch (IOException e) {
            throw new Refused(e.getMessage());
        }
    }

    private Export running(String name) throws Refused {
        ExportComponent c = component(name).orElseThrow(() -> new Refused("no export '" + name + "'"));
        Export e = c.running;
        if (e == null) {
            throw new Refused("export '" + name + "' is not serving (" + c.status() + ")");
        }
        return e;
    }

    /**
     * Refuses, before anything is written, whatever the export's start would refuse: its
     * settings (as ExportComponent parses a .cfg), its address in use (as ExportRegistry claims it) and
     * its store (the store factory's own checks, as ExportRegistry opens it). Returns warnings about
     * what may still come: an interface that does not exist (yet).
     */
    @Override
    public List<String> check(String name, Map<String, String> settings) throws Refused {
        ExportSettings s;
        try {
            s = ExportSettings.parse(name, withoutBlanks(settings));
        } catch (ExportSettings.Invalid e) {
            throw new Refused(e.getMessage());
        }
        // A disabled export claims nothing; so disabling one whose file is gone still works.
        if (s.enabled()) {
            for (ExportComponent c : registry.components()) {
                ExportSettings o = c.settings;
                if (o != null && o.enabled() && !name.equals(c.name) && o.addressKey() == s.addressKey()) {
                    throw new Refused(s.address() + " is already used by export '" + c.name + "' (" + c.source + ")");
                }
            }
            checkStore(name, s);
        }
        List<String> warnings = new ArrayList<>();
        for (String i : s.interfaces()) {
            if (!interfaceExists(i)) {
                warnings.add("key 'interfaces': there is no interface '" + i + "' (yet); the export serves on it "
                        + "once it appears");
            }
        }
        return warnings;
    }

    /** The store as ExportRegistry would open it; an edit of a running export replaces its open store. */
    private void checkStore(String name, ExportSettings s) throws Refused {
        Export running = component(name).map(c -> c.running).orElse(null);
        StoreSpec replacing = running == null ? null : ExportRegistry.spec(running.settings);
        StoreSpec spec = ExportRegistry.spec(s);
        if (spec.equals(replacing)) {
            return;                                // the open store stays as it is
        }
        try {
            registry.stores.check(spec, replacing);
        } catch (StoreSpec.Invalid e) {
            throw new Refused(e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new Refused("key 'file': cannot open " + s.file() + ": " + e.getMessage());
        }
    }

    /** Asks the kernel, so an interface without any address counts (a storage NIC often has none). */
    static boolean interfaceExists(String name) {
        return NetInterface.byName(name).isPresent();
    }

    private static Map<String, String> withoutBlanks(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                out.put(k, v.trim());
            }
        });
        return out;
    }

    private Optional<Configuration> configuration(String name) {
        try {
            Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + FACTORY_PID + ")");
            if (all != null) {
                for (Configuration c : all) {
                    Map<String, Object> props = new LinkedHashMap<>();
                    for (var k = c.getProperties().keys(); k.hasMoreElements(); ) {
                        String key = k.nextElement();
                        props.put(key, c.getProperties().get(key));
                    }
                    if (name.equals(ExportComponent.name(c.getPid(), props))) {
                        return Optional.of(c);
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            // no configuration store: nothing found
        }
        return Optional.empty();
    }

    /**
     * Writes the .cfg ourselves (FileInstall saves a configuration only into a file that already
     * exists): atomically, so FileInstall never reads half a file. An existing file stays the
     * operator's: Felix's TypedProperties (what Karaf's config:* commands use) keeps its comments,
     * blank lines and key order, changes values in place, appends new keys and drops removed ones.
     */
    static void writeCfg(Path file, Map<String, String> settings) throws IOException {
        TypedProperties p = new TypedProperties();
        if (Files.exists(file)) {
            try (var r = Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8)) {
                p.load(r);
            }
        } else {
            p.setHeader(List.of("# AoEde export, written by the appliance (shell or web console)."));
        }
        for (String key : new ArrayList<>(p.keySet())) {
            if (!settings.containsKey(key) && !ExportSettings.isFrameworkKey(key)) {
                p.remove(key);
            }
        }
        for (String key : ordered(settings)) {
            String value = settings.get(key);
            Object old = p.get(key);
            if (old == null || !value.equals(old.toString().trim())) {   // an untouched line stays as it is
                p.put(key, value);
            }
        }
        java.io.StringWriter w = new java.io.StringWriter();
        p.save(w);
        writeAtomically(file, w.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The known keys in the order of {@link ExportSettings#KEYS}, then an extension's own (cache.size, ...) sorted. */
    private static List<String> ordered(Map<String, String> settings) {
        List<String> out = new ArrayList<>();
        for (String key : ExportSettings.KEYS.keySet()) {
            if (settings.containsKey(key)) {
                out.add(key);
            }
        }
        new java.util.TreeMap<>(settings).keySet().stream().filter(k -> !ExportSettings.KEYS.containsKey(k)).forEach(out::add);
        return out;
    }

    private static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, content);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);             // after a failed write: no half-written file left behind
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // already refusing; the refusal says why
        }
    }

    private static void restoreQuietly(Path file, byte[] content) {
        try {
            if (content == null) {
                Files.deleteIfExists(file);
            } else if (!java.util.Arrays.equals(content, Files.readAllBytes(file))) {
                writeAtomically(file, content);
            }
        } catch (IOException ignored) {
            // already refusing; the refusal says why
        }
    }

    /** The file's URI as FileInstall spells it (File.toURI: file:/path). */
    private static String uri(Path file) {
        return file.toFile().toURI().toString();
    }

    private static Path etc() {
        return Path.of(System.getProperty("karaf.etc", "etc")).toAbsolutePath();
    }
}
