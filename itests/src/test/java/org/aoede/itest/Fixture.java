package org.aoede.itest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The setup most ITs share: a target namespace ({@code PREFIX-t}) and an initiator namespace
 * ({@code PREFIX-i}) joined by veth pairs {@code tK <-> iK}, one per MTU given, the built
 * appliance running in the target namespace and one {@link Initiator} per pair. {@link #close()}
 * stops the appliance and removes the namespaces, also when the constructor fails half way.
 *
 * <p>A class's set-up ends with {@link #snapshot()}, and each test method starts with
 * {@link #restore()}: whatever the test before it did or failed to undo (an export edited or
 * added, a bundle stopped or uninstalled, the appliance killed), the next one starts from the
 * state the set-up made, so a failure names its own cause instead of cascading.
 */
final class Fixture implements AutoCloseable {
    final Path work;
    final Lan lan;
    final String tns;
    final String ins;
    final Appliance appliance;
    private final Initiator[] initiators;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What {@link #restore} returns to: export .cfg name → text, export → state, AoEde bundles. */
    private Map<String, String> cfgs;
    private Map<String, String> states;
    private List<String> bundles;

    /** {@code new Fixture(work, 1500, 9000)}: pair 0 with MTU 1500, pair 1 with MTU 9000. */
    Fixture(Path work, int... mtus) throws IOException {
        this.work = work;
        this.lan = new Lan();
        Appliance a = null;
        try {
            tns = lan.namespace("t");
            ins = lan.namespace("i");
            initiators = new Initiator[mtus.length];
            for (int k = 0; k < mtus.length; k++) {
                lan.veth(t(k), tns, i(k), ins, mtus[k]);
                initiators[k] = new Initiator(ins, i(k));
            }
            a = new Appliance(work, tns);
            a.start();
        } catch (IOException | RuntimeException | Error e) {
            if (a != null) {
                a.close();
            }
            lan.close();
            throw e;
        }
        appliance = a;
    }

    /** The target's end of pair {@code k}. */
    String t(int k) {
        return lan.ifname("t" + k);
    }

    /** The initiator's end of pair {@code k}. */
    String i(int k) {
        return lan.ifname("i" + k);
    }

    /** The project's initiator on pair {@code k}. */
    Initiator initiator(int k) {
        return initiators[k];
    }

    /** A sparse image of {@code bytes} (its length set, nothing written) at {@code file}; returns the file. */
    static Path sparse(Path file, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return file;
    }

    /** Sparse images of {@code bytes} each, named {@code names} in the work folder. */
    void images(long bytes, String... names) throws IOException {
        for (String name : names) {
            sparse(work.resolve(name), bytes);
        }
    }

    /**
     * The text of an export's .cfg: shelf, slot, interfaces, file, then each of {@code extra} as a
     * line of its own (e.g. {@code "extensions = negotiation, crc"}).
     */
    static String exportCfg(int shelf, int slot, String interfaces, Path file, String... extra) {
        StringBuilder sb = new StringBuilder().append("shelf = ").append(shelf).append('\n')
                .append("slot = ").append(slot).append('\n')
                .append("interfaces = ").append(interfaces).append('\n')
                .append("file = ").append(file).append('\n');
        for (String e : extra) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }

    /** Writes export {@code name} (see {@link #exportCfg}); {@link #answering} waits for it. */
    void export(String name, int shelf, int slot, String interfaces, Path file, String... extra) throws IOException {
        appliance.writeExport(name, exportCfg(shelf, slot, interfaces, file, extra));
    }

    /** Waits (up to 60 s each) until export {@code name} (eSHELF.SLOT) answers on every one of {@code ifnames}. */
    void answering(String name, String address, String... ifnames) {
        for (String ifname : ifnames) {
            appliance.waitForLog("export " + name + ": e" + address + " answering on " + ifname, Duration.ofSeconds(60));
        }
    }

    /** Records the appliance's state now (after the class's set-up) as the one {@link #restore} returns to. */
    void snapshot() throws IOException {
        cfgs = exportFiles();
        states = exportStates();
        bundles = activeBundles();
    }

    /**
     * Brings the appliance back to the {@link #snapshot}: running, the same AoEde bundles active,
     * exactly the same export files, each export in the same state again (up to 90 s).
     */
    void restore() throws IOException {
        if (states == null) {
            throw new IllegalStateException("restore() before snapshot()");
        }
        if (!appliance.isAlive()) {                  // a test killed it: start it again, as after a crash
            String up = "ExportRegistry .* transport 'pcap' available";
            long before = appliance.count(up);
            appliance.start();
            appliance.waitForMore(up, before, Duration.ofSeconds(120));
        }
        List<String> active = activeBundles();
        for (String b : bundles) {
            if (!active.contains(b)) {
                String line = appliance.bundleLine("| " + b, false);
                if (line.isEmpty()) {
                    appliance.installBundle(b.substring("org.aoede.".length()).replace('.', '-'));
                } else {
                    appliance.client("bundle:start " + b);
                }
            }
        }
        Map<String, String> now = exportFiles();
        for (String name : now.keySet()) {
            if (!cfgs.containsKey(name)) {
                Files.deleteIfExists(appliance.etc(name));
            }
        }
        for (Map.Entry<String, String> e : cfgs.entrySet()) {
            if (!e.getValue().equals(now.get(e.getKey()))) {
                String export = e.getKey().substring("org.aoede.export-".length(), e.getKey().length() - ".cfg".length());
                appliance.writeExport(export, e.getValue());
            }
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Map<String, String> seen = exportStates();
        while (!seen.equals(states)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the appliance did not return to its set-up state: want " + states + ", have "
                        + seen + "\n" + appliance.tail());
            }
            Appliance.sleep(300);
            seen = exportStates();
        }
    }

    private Map<String, String> exportFiles() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.list(appliance.home.resolve("etc"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (n.startsWith("org.aoede.export-") && n.endsWith(".cfg")) {
                    m.put(n, Files.readString(f));
                }
            }
        }
        return m;
    }

    /** Export name → state (serving, waiting, refused, ...) from {@code aoe:list --json}. */
    private Map<String, String> exportStates() throws IOException {
        Sh.Result r = appliance.client("aoe:list --json");
        Map<String, String> m = new TreeMap<>();
        if (r.exit() != 0) {
            m.put("aoe:list", "failed: " + r.out());
            return m;
        }
        for (JsonNode e : JSON.readTree(r.out())) {
            m.put(e.get("name").asText(), e.get("state").asText());
        }
        return m;
    }

    /** Symbolic names of the AoEde bundles that are Active. */
    private List<String> activeBundles() {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Sh.Result r = appliance.client("bundle:list -t 0 -s");
        while (r.exit() != 0 && System.nanoTime() < end) {  // the shell comes up a little after a start
            Appliance.sleep(1000);
            r = appliance.client("bundle:list -t 0 -s");
        }
        List<String> out = new ArrayList<>();
        for (String l : r.ok().out().lines().toList()) {
            String[] cols = l.split("\\|");
            if (cols.length >= 5 && cols[1].strip().equals("Active") && cols[cols.length - 1].strip().startsWith("org.aoede.")) {
                out.add(cols[cols.length - 1].strip());
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            appliance.close();
        } finally {
            lan.close();
        }
    }
}
