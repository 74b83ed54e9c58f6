package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aoe:* commands through a real Karaf shell session ({@code bin/client} inside the
 * appliance's namespace, the command fed on stdin), the .cfg file after every change, and the
 * project's initiator on the other end of a veth pair.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShellIT {
    static final long SECTORS = 64L * 1024 * 1024 / 512;
    static final Path TRANSCRIPT = Path.of("target/shell-transcript.txt");

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Initiator ini;
    static String tns;
    static String t0;
    static String iniMac;
    static String password;
    static Path image;
    static final StringBuilder transcript = new StringBuilder();

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500);
        appliance = fx.appliance;
        tns = fx.tns;
        t0 = fx.t(0);
        ini = fx.initiator(0);
        iniMac = Lan.mac(fx.ins, fx.i(0));
        password = Files.readString(appliance.etc("aoede-admin.password")).trim();
        image = work.resolve("a.img");
        Fixture.sparse(image, SECTORS * 512);
        // SSH and the aoe:* commands come up a little after the target.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String out = "";
        while (System.nanoTime() < end) {
            out = client("aoe:list");
            if (out.contains("no exports")) {
                fx.snapshot();
                return;
            }
            Appliance.sleep(1000);
        }
        // Which bundle is not active, and why, names the cause better than the log's tail.
        throw new AssertionError("no aoe:list in the shell within 90 s: " + out + "\n"
                + client("bundle:list -t 0 | grep -i aoede") + "\n" + client("bundle:diag") + "\n" + appliance.tail());
    }

    /** Each test starts from the state the set-up made (no exports; see {@link Fixture#restore}). */
    @BeforeEach
    void knownState() throws IOException {
        fx.restore();
    }

    /**
     * Export a as the first test's aoe:create makes it (e1.0, buffer count 16, config string
     * "hello"), serving, with 200 frames of traffic from the initiator: where the later tests start.
     */
    static void exportA() throws IOException {
        appliance.writeExport("a", Fixture.exportCfg(1, 0, t0, image, "buffer-count = 16", "config-string = hello"));
        appliance.awaitShow("a", "serving", true);
        ini.run("verify", "1.0", "--count-frames", "200", "--seed", "7").ok();
    }

    @AfterAll
    static void stop() throws IOException {
        if (transcript.length() > 0) {
            Files.createDirectories(TRANSCRIPT.getParent());
            Files.writeString(TRANSCRIPT, transcript.toString());
            System.out.println("---- shell session transcript (" + TRANSCRIPT.toAbsolutePath() + ") ----");
            System.out.print(transcript);
            System.out.println("---- end of transcript ----");
        }
        if (fx != null) {
            fx.close();
        }
    }

    // ---- the shell --------------------------------------------------------------------

    /** Runs one command in a Karaf shell session (see {@link Appliance#client}). */
    static String client(String command) {
        return appliance.client(command).out();
    }

    /** A command of the test: run, recorded in the transcript. */
    static String sh(String command) {
        String out = client(command);
        transcript.append("admin@aoede> ").append(command).append('\n').append(out);
        if (!out.endsWith("\n")) {
            transcript.append('\n');
        }
        return out;
    }

    /** A command that must succeed. */
    static String ok(String command) {
        String out = sh(command);
        assertFalse(out.contains("Error executing command") || out.contains("Command not found"), command + ":\n" + out);
        return out;
    }

    /** A command that must be refused, naming the problem; the export's .cfg stays as it was. */
    static void refused(String command, String name, String... problem) throws IOException {
        Path cfg = cfg(name);
        byte[] before = Files.exists(cfg) ? Files.readAllBytes(cfg) : null;
        String out = sh(command);
        assertTrue(out.contains("refused: "), command + ":\n" + out);
        for (String p : problem) {
            assertTrue(out.contains(p), command + ": expected '" + p + "' in:\n" + out);
        }
        Appliance.sleep(1500); // room for a (wrong) asynchronous write to show
        byte[] after = Files.exists(cfg) ? Files.readAllBytes(cfg) : null;
        assertTrue(Arrays.equals(before, after), command + " changed " + cfg);
    }

    // ---- the .cfg ---------------------------------------------------------------------

    static Path cfg(String name) {
        return appliance.etc("org.aoede.export-" + name + ".cfg");
    }

    static Properties props(String name) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(cfg(name))));
        } catch (IOException e) {
            // absent or being replaced: empty
        }
        return p;
    }

    /** Waits (FileInstall writes asynchronously) until the .cfg passes the check; returns it. */
    static Properties cfgUntil(String name, Predicate<Properties> check) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Properties p = props(name);
        while (!check.test(p) && System.nanoTime() < end) {
            Appliance.sleep(200);
            p = props(name);
        }
        assertTrue(check.test(p), cfg(name) + ": " + p);
        return p;
    }

    static Properties cfgHas(String name, String key, String value) {
        Properties p = cfgUntil(name, x -> value.equals(x.getProperty(key)));
        assertEquals(value, p.getProperty(key));
        return p;
    }

    static void waitCount(String regex, long n) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (appliance.count(regex) < n && System.nanoTime() < end) {
            Appliance.sleep(200);
        }
        assertTrue(appliance.count(regex) >= n, "fewer than " + n + " log lines /" + regex + "/:\n" + appliance.tail());
    }

    static String serving() {
        return "export a: e1\\.0 answering on " + t0;
    }

    // ---- the commands -----------------------------------------------------------------

    @Test
    @Order(1)
    void createWritesTheCfgAndTheExportAnswers() {
        String out = ok("aoe:create -b 16 --config-string hello a 1 0 " + t0 + " " + image);
        assertTrue(out.contains("e1.0"), out);
        Properties p = cfgUntil("a", x -> x.containsKey("shelf"));
        assertEquals("1", p.getProperty("shelf"));
        assertEquals("0", p.getProperty("slot"));
        assertEquals(t0, p.getProperty("interfaces"));
        assertEquals(image.toString(), p.getProperty("file"));
        assertEquals("16", p.getProperty("buffer-count"));
        assertEquals("hello", p.getProperty("config-string"));
        assertEquals(6, p.stringPropertyNames().stream().filter(k -> !k.startsWith("felix.") && !k.startsWith("service.")).count(),
                "no other keys: " + p);
        waitCount(serving(), 1);
        String id = ini.run("identify", "1.0").ok().out();
        assertEquals(String.valueOf(SECTORS), Initiator.field(id, "sectors"), id);
        assertEquals("16", Initiator.field(ini.run("discover", "1.0").ok().out(), "bufcnt"));
        ini.run("verify", "1.0", "--count-frames", "200", "--seed", "7").ok();
    }

    @Test
    @Order(2)
    void list() throws IOException {
        exportA();
        String out = ok("aoe:list");
        String row = out.lines().filter(l -> l.contains("e1.0")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertTrue(row.startsWith("a "), row);
        for (String s : List.of(t0, image.toString(), "64.0 MiB", "serving")) {
            assertTrue(row.contains(s), "'" + s + "' in " + row);
        }
        assertTrue(row.trim().endsWith("1"), "one client seen: " + row);
        for (String h : List.of("Name", "Address", "Interfaces", "File", "Size", "State", "Flags", "Clients")) {
            assertTrue(out.contains(h), h + " in " + out);
        }
    }

    @Test
    @Order(3)
    void showAndStats() throws IOException {
        exportA();
        String show = ok("aoe:show a");
        for (String s : List.of("e1.0", "serving", "buffer-count", "config-string", "hello", "mask list", "(everyone)",
                "reservation", "requests", "latency p50 / p99", "<=", iniMac)) {
            assertTrue(show.contains(s), "'" + s + "' in " + show);
        }
        String stats = ok("aoe:stats a");
        String row = stats.lines().filter(l -> l.startsWith("a ")).findFirst().orElseThrow(() -> new AssertionError(stats));
        String[] cols = row.split("\\s*\\|\\s*");
        assertTrue(Long.parseLong(cols[1].trim()) >= 200, row);   // requests
        assertTrue(Long.parseLong(cols[3].trim()) >= 1, row);     // writes
        assertTrue(cols[9].startsWith("<=") || cols[9].startsWith(">"), "p50: " + row);
        assertTrue(cols[10].startsWith("<=") || cols[10].startsWith(">"), "p99: " + row);
        String all = ok("aoe:stats");
        assertTrue(all.contains("Dups") && all.contains("p99"), all);
        String ports = ok("aoe:ports");
        String port = ports.lines().filter(l -> l.startsWith(t0)).findFirst().orElseThrow(() -> new AssertionError(ports));
        assertTrue(port.contains("afpacket") && port.contains("1500") && port.contains(" a "), port);
    }

    @Test
    @Order(4)
    void setAndUnsetChangeTheCfg() throws IOException {
        exportA();
        ok("aoe:set a buffer-count 32");
        cfgHas("a", "buffer-count", "32");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String d;
        do {
            d = ini.run("discover", "1.0").ok().out();
        } while (!"32".equals(Initiator.field(d, "bufcnt")) && System.nanoTime() < deadline);
        assertEquals("32", Initiator.field(d, "bufcnt"), "the new buffer count is advertised live");

        ok("aoe:set a model Shell Disk");        // reopens the store: the initiator may retransmit
        cfgHas("a", "model", "Shell Disk");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String model;
        do {
            Sh.Result id = ini.run("identify", "1.0");
            model = id.exit() == 0 ? Initiator.field(id.out(), "model") : "";
        } while (!"Shell Disk".equals(model) && System.nanoTime() < deadline);
        assertEquals("Shell Disk", model);

        ok("aoe:unset a buffer-count");
        cfgUntil("a", p -> !p.containsKey("buffer-count") && "Shell Disk".equals(p.getProperty("model")));
    }

    @Test
    @Order(5)
    void refusedChangesNameTheProblemAndChangeNothing() throws IOException {
        exportA();
        refused("aoe:set a shelf 70000", "a", "key 'shelf'", "70000", "0-65534");
        refused("aoe:set a colour blue", "a", "key 'colour'", "unknown key");
        refused("aoe:create b 1 0 " + t0 + " " + image, "b", "e1.0 is already used by export 'a'");
        refused("aoe:create c 2 0 " + t0 + " " + work.resolve("missing.img"), "c", "missing.img does not exist");
        refused("aoe:create d 4095 0 " + t0 + " " + image, "d", "key 'shelf'", "4095");
        // What the export's start would refuse is refused before a .cfg is written.
        Path small = work.resolve("small.img");
        Fixture.sparse(small, 2048 * 512);
        refused("aoe:create e 8 0 " + t0 + " " + work, "e", "key 'file'", "is a directory");
        refused("aoe:create -l 4096 f 8 1 " + t0 + " " + small, "f", "key 'length'",
                "window 0+4096 sectors is past the end of", "(2048 sectors)");
        refused("aoe:set a length " + (SECTORS + 1), "a", "key 'length'", "is past the end of");
        refused("aoe:unset a shelf", "a", "key 'shelf'", "missing");
        refused("aoe:mask a --remove 02:00:00:00:00:42", "a", "not in the configured mask list");
        refused("aoe:delete nope", "nope", "no export 'nope'");
        assertFalse(Files.exists(cfg("b")) || Files.exists(cfg("c")) || Files.exists(cfg("d")));
        try (var etc = Files.list(appliance.etc(""))) {
            assertEquals(List.of(), etc.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("org\\.aoede\\.export-[bcdef]\\.cfg.*") || n.endsWith(".tmp")).toList());
        }
        assertTrue(ok("aoe:list").lines().noneMatch(l -> l.startsWith("b ") || l.startsWith("c ") || l.startsWith("d ")));
        ini.run("identify", "1.0").ok();
    }

    @Test
    @Order(5)
    void aMissingInterfaceIsAcceptedWithAWarning() throws IOException {
        // It may come later (a VLAN, a hot-plugged NIC): the export serves on it once it appears.
        Path w = Fixture.sparse(work.resolve("w.img"), 2048 * 512);
        String out = ok("aoe:create w 8 2 aoede-nosuch0 " + w);
        assertTrue(out.contains("warning: key 'interfaces': there is no interface 'aoede-nosuch0' (yet)"), out);
        assertTrue(Files.exists(cfg("w")));
        ok("aoe:delete w");
        assertFalse(Files.exists(cfg("w")));
    }

    @Test
    @Order(6)
    void disableAndEnable() throws IOException {
        exportA();
        ok("aoe:disable a");
        cfgHas("a", "enabled", "false");
        String list = ok("aoe:list");
        assertTrue(list.contains("disabled") && list.contains("off"), list);
        Sh.Result silent = ini.run("identify", "1.0", "--tries", "2", "--timeout-ms", "200");
        assertNotEquals(0, silent.exit(), silent.out());

        long before = appliance.count(serving());
        ok("aoe:enable a");
        cfgHas("a", "enabled", "true");
        waitCount(serving(), before + 1);
        ini.run("identify", "1.0").ok();
    }

    @Test
    @Order(7)
    void maskEditsTheConfiguredListAndShowsTheLiveOne() throws IOException {
        exportA();
        String other = "02:00:00:00:00:77";
        String out = ok("aoe:mask a --add " + iniMac + " --add " + other);
        cfgHas("a", "allowed-macs", iniMac + "," + other);
        assertTrue(out.contains("configured: " + iniMac + ", " + other), out);
        assertTrue(out.contains("live:       " + iniMac + ", " + other), out);
        assertTrue(ini.run("mask", "1.0").ok().out().contains(other), "the live list on the wire");

        ok("aoe:mask a --remove " + other);
        cfgHas("a", "allowed-macs", iniMac);
        ini.run("read", "1.0", "--lba", "0", "--count", "1").ok();

        out = ok("aoe:mask a --clear");
        cfgUntil("a", p -> !p.containsKey("allowed-macs"));
        assertTrue(out.contains("configured: (everyone)") && out.contains("live:       (everyone)"), out);
    }

    @Test
    @Order(8)
    void reserveIsLiveStateNotConfiguration() throws IOException {
        exportA();
        byte[] before = Files.readAllBytes(cfg("a"));
        String out = ok("aoe:reserve a " + iniMac);
        assertTrue(out.contains("reservation (live): " + iniMac), out);
        String wire = ini.run("reserve", "1.0", "--read").ok().out();
        assertEquals("1", Initiator.field(wire, "count"), wire);
        assertTrue(ok("aoe:show a").contains(iniMac));
        out = ok("aoe:reserve a --clear");
        assertTrue(out.contains("reservation (live): (none)"), out);
        assertEquals("0", Initiator.field(ini.run("reserve", "1.0", "--read").ok().out(), "count"));
        assertTrue(Arrays.equals(before, Files.readAllBytes(cfg("a"))), "the .cfg is not touched by reserve");
    }

    @Test
    @Order(9)
    void configStringConfiguredLiveAndReset() throws IOException {
        exportA();
        String out = ok("aoe:config-string a");
        assertTrue(out.contains("configured: hello") && out.contains("live:       hello"), out);

        ok("aoe:config-string a two words");
        cfgHas("a", "config-string", "two words");
        assertEquals("two words", Initiator.field(ini.run("config", "1.0", "--read").ok().out(), "config"));

        ini.run("config", "1.0", "--force-set", "from the wire").ok();
        out = ok("aoe:config-string a");
        assertTrue(out.contains("configured: two words") && out.contains("live:       from the wire"), out);

        out = ok("aoe:reset-live a");
        assertTrue(out.contains("config-string (live): two words"), out);
        assertEquals("two words", Initiator.field(ini.run("config", "1.0", "--read").ok().out(), "config"));
        cfgHas("a", "config-string", "two words");
    }

    @Test
    @Order(10)
    void deleteRemovesTheCfgAndStopsTheExport() throws IOException {
        exportA();
        ok("aoe:delete a");
        cfgUntil("a", p -> !Files.exists(cfg("a")));
        assertTrue(ok("aoe:list").contains("no exports"));
        Sh.Result silent = ini.run("identify", "1.0", "--tries", "2", "--timeout-ms", "200");
        assertNotEquals(0, silent.exit(), silent.out());
        assertTrue(Files.exists(image), "the backing file stays");
    }

    @Test
    @Order(11)
    void sessionTranscriptCreateListStatsDelete() {
        transcript.append("\n# create, list, stats, delete\n");
        ok("aoe:create demo 3 1 " + t0 + " " + image + " -r");
        cfgHas("demo", "read-only", "true");
        waitCount("export demo: e3\\.1 answering on " + t0, 1);
        for (int lba = 0; lba < 8; lba += 2) {
            ini.run("read", "3.1", "--lba", String.valueOf(lba), "--count", "2").ok();
        }
        assertTrue(ok("aoe:list").contains("ro"));
        ok("aoe:stats demo");
        ok("aoe:delete demo");
        cfgUntil("demo", p -> !Files.exists(cfg("demo")));
    }
}
