package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/aoe} as a script or CI runs it: inside the appliance's namespace, stdin at EOF (no
 * terminal), stdout and stderr apart. Exit codes, {@code --json} parsed with Jackson, help, the
 * create one-liner, {@code check}, refusals as one WARN line in karaf.log, and an operator's
 * .cfg keeping its comments through a shell edit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static String t0;
    static Path image;

    record Run(int exit, String out, String err) {
        Run ok() {
            assertEquals(0, exit, "exit status; stderr: " + err + "\nstdout: " + out);
            return this;
        }
    }

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500);
        appliance = fx.appliance;
        t0 = fx.t(0);
        image = Fixture.sparse(work.resolve("a.img"), 64L * 1024 * 1024);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Run r = null;
        while (System.nanoTime() < end) {
            r = aoe("list", "--json");
            if (r.exit() == 0 && r.out().trim().equals("[]")) {
                fx.snapshot();
                return;
            }
            Appliance.sleep(1000);
        }
        throw new AssertionError("no bin/aoe list within 90 s: " + r + "\n" + appliance.tail());
    }

    /** Each test starts from the state the set-up made (no exports; see {@link Fixture#restore}). */
    @BeforeEach
    void knownState() throws IOException {
        fx.restore();
    }

    /** Export a on the image, e1.0, as the create one-liner makes it: where the later tests start. */
    static void exportA() throws IOException {
        appliance.writeExport("a", Fixture.exportCfg(1, 0, t0, image, "buffer-count = 16"));
        appliance.awaitShow("a", "serving", true);
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    /** {@code bin/aoe ARGS} in the appliance's namespace, stdin at EOF, from the work folder. */
    static Run aoe(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", appliance.namespace,
                appliance.home.resolve("bin/aoe").toString()));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(work, "out", ".txt");
            Path err = Files.createTempFile(work, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/aoe " + String.join(" ", args) + " timed out");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static JsonNode json(String... args) throws IOException {
        Run r = aoe(args).ok();
        assertFalse(r.out().contains("\u001B"), "no colour codes: " + r.out());
        return JSON.readTree(r.out());
    }

    static void noColourNoChatter(Run r) {
        for (String s : List.of(r.out(), r.err())) {
            assertFalse(s.contains("\u001B"), "colour codes in " + s);
            assertFalse(s.contains("Connection") || s.contains("Closed") || s.contains("Logging in"), "chatter in " + s);
        }
    }

    static Path cfg(String name) {
        return appliance.etc("org.aoede.export-" + name + ".cfg");
    }

    // ---- the tests ----------------------------------------------------------------------

    @Test
    @Order(1)
    void helpListsTheCommandsAndShowsTheUsageOfOne() {
        Run r = aoe("help").ok();
        noColourNoChatter(r);
        for (String c : List.of("create", "list", "show", "stats", "ports", "check", "set", "delete")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(c + " ") && l.length() > c.length() + 5),
                    c + " with its description in:\n" + r.out());
        }
        Run usage = aoe("help", "create").ok();
        noColourNoChatter(usage);
        assertTrue(usage.out().contains("SYNTAX") && usage.out().contains("aoe:create") && usage.out().contains("--buffer-count"),
                usage.out());
        Run nosuch = aoe("nosuch");
        assertNotEquals(0, nosuch.exit());
        assertEquals("", nosuch.out());
        assertTrue(nosuch.err().contains("aoe:nosuch"), nosuch.err());
        noColourNoChatter(nosuch);
    }

    @Test
    @Order(2)
    void theCreateOneLinerAndJsonOfListShowStatsPorts() throws IOException {
        // a relative FILE is the caller's, as with vblade; options may follow the file
        Run r = aoe("create", "a", "1", "0", t0, "a.img", "-b", "16", "-c", "it's a \"disk\" $HOME").ok();
        noColourNoChatter(r);
        assertTrue(r.out().contains("e1.0"), r.out());
        appliance.awaitShow("a", "serving", true);
        Initiator ini = fx.initiator(0);
        ini.run("verify", "1.0", "--count-frames", "100", "--seed", "3").ok();

        JsonNode list = json("list", "--json");
        assertTrue(list.isArray() && list.size() == 1, list.toString());
        JsonNode a = list.get(0);
        assertEquals("a", a.get("name").asText());
        assertEquals("e1.0", a.get("address").asText());
        assertEquals(image.toString(), a.get("settings").get("file").asText());
        assertEquals("16", a.get("settings").get("buffer-count").asText());
        assertEquals("it's a \"disk\" $HOME", a.get("settings").get("config-string").asText(), "an argument reaches the shell unchanged");
        assertEquals(64L * 1024 * 1024 / 512, a.get("sectors").asLong());

        JsonNode show = json("show", "a", "--json");
        assertEquals("a", show.get("name").asText());
        assertTrue(show.get("state").asText().startsWith("serving"), show.toString());
        assertTrue(show.get("stats").get("requests").asLong() >= 100, show.toString());
        assertEquals(1, show.get("clients").size(), show.toString());

        JsonNode stats = json("stats", "--json");
        assertEquals("a", stats.get(0).get("name").asText());
        JsonNode st = stats.get(0).get("stats");
        assertTrue(st.get("writes").asLong() >= 1 && st.get("p99Micros").isNumber(), st.toString());
        assertTrue(json("stats", "a", "--json").get(0).get("stats").get("requests").asLong() >= 100);

        JsonNode ports = json("ports", "--json");
        JsonNode port = null;
        for (JsonNode p : ports) {
            if (p.get("name").asText().equals(t0)) {
                port = p;
            }
        }
        assertTrue(port != null && port.get("up").asBoolean() && port.get("mtu").asInt() == 1500
                && port.get("exports").toString().contains("\"a\"") && port.get("framesIn").asLong() >= 100, ports.toString());
    }

    @Test
    @Order(3)
    void aRefusalExitsNonZeroWithTheMessageOnStderrAndOneWarnLine() throws IOException {
        exportA();
        long errors = appliance.count("\\| ERROR ");
        Run r = aoe("create", "b", "70000", "0", t0, image.toString());
        assertNotEquals(0, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().contains("refused: key 'shelf': 70000 is out of range 0-65534"), r.err());
        noColourNoChatter(r);
        assertFalse(Files.exists(cfg("b")));

        Run set = aoe("set", "a", "shelf", "abc");
        assertNotEquals(0, set.exit());
        assertEquals("", set.out());
        assertTrue(set.err().startsWith("refused: key 'shelf'"), set.err());

        Run missingArgs = aoe("create", "c");       // Karaf's own argument check
        assertNotEquals(0, missingArgs.exit());
        assertEquals("", missingArgs.out());
        noColourNoChatter(missingArgs);

        Appliance.sleep(500);
        assertEquals(errors, appliance.count("\\| ERROR "), "no ERROR in karaf.log for a wrong argument:\n" + appliance.tail());
        assertTrue(appliance.count("\\| WARN .*aoe:create refused: key 'shelf': 70000") >= 1, appliance.tail());
        assertTrue(appliance.count("\\| WARN .*aoe:set refused: key 'shelf'") >= 1, appliance.tail());
    }

    @Test
    @Order(4)
    void checkValidatesAFileWithoutApplyingIt() throws IOException {
        exportA();
        Path other = Fixture.sparse(work.resolve("g.img"), 1024 * 1024);   // a.img is export a's
        Path good = work.resolve("org.aoede.export-g.cfg");
        Files.writeString(good, "# checked, not applied\nshelf = 2\nslot = 0\ninterfaces = " + t0 + "\nfile = " + other + "\nread-only = true\n");
        Run ok = aoe("check", good.toString()).ok();
        assertEquals("ok", ok.out().trim());
        assertFalse(Files.exists(cfg("g")));

        Path bad = work.resolve("bad.cfg");
        Files.writeString(bad, "shelf = 2\nslot = 300\ninterfaces = " + t0 + "\nfile = " + image + "\n");
        Run no = aoe("check", "bad.cfg");           // relative to the caller's directory
        assertNotEquals(0, no.exit());
        assertEquals("", no.out());
        assertTrue(no.err().contains("key 'slot'") && no.err().contains("300"), no.err());

        Files.writeString(bad, "shelf = 1\nslot = 0\ninterfaces = " + t0 + "\nfile = " + image + "\n");
        Run taken = aoe("check", bad.toString());
        assertNotEquals(0, taken.exit());
        assertTrue(taken.err().contains("e1.0 is already used by export 'a'"), taken.err());
    }

    @Test
    @Order(5)
    void aShellEditKeepsTheOperatorsComments() throws IOException {
        exportA();
        Path cfg = cfg("a");
        String mine = "# the build farm's disk: ask Ann\n\n"
                + "file = " + image + "\n"
                + "# the address the hosts know\n"
                + "shelf = 1\nslot = 0\n\n"
                + "interfaces = " + t0 + "\n"
                + "buffer-count = 16\n"
                + "config-string = it's a \"disk\" $HOME\n";
        Files.writeString(cfg, mine);
        Appliance.sleep(3000);                       // FileInstall applies it (the same values)
        aoe("set", "a", "buffer-count", "32").ok();
        String after = Files.readString(cfg);
        assertEquals(mine.replace("buffer-count = 16", "buffer-count = 32"), after);
        aoe("set", "a", "model", "Farm Disk").ok();
        assertEquals(mine.replace("buffer-count = 16", "buffer-count = 32") + "model = Farm Disk\n", Files.readString(cfg));
        assertTrue(json("show", "a", "--json").get("settings").get("model").asText().equals("Farm Disk"));
    }

    @Test
    @Order(6)
    void deleteAndAnEmptyList() throws IOException {
        exportA();
        aoe("delete", "a").ok();
        assertEquals(0, json("list", "--json").size());
        assertFalse(Files.exists(cfg("a")));
    }
}
