package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The freeze extension end to end, driven through {@code bin/client} (aoe:freeze, aoe:unfreeze,
 * aoe:show): export f (e5.1) uses freeze with a throttled merge (so the merge is seen in
 * progress), export g (e5.2) does not. The image's checksum stays constant while frozen under the
 * verify workload; unfreeze + merge leaves the image as the initiator wrote it, also for writes made
 * while the merge runs; kill -9 while frozen and while merging loses no acknowledged write; the
 * freeze bundle uninstalled while frozen silences the export until it is installed again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FreezeIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Initiator ini;
    static String t0;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500);
        appliance = fx.appliance;
        ini = fx.initiator(0);
        t0 = fx.t(0);
        fx.images(SECTORS * 512, "f.img", "g.img");
        fx.export("f", 5, 1, t0, work.resolve("f.img"), "extensions = freeze", "freeze.merge-rate = 256K");
        fx.export("g", 5, 2, t0, work.resolve("g.img"));
        fx.answering("f", "5.1", t0);
        fx.answering("g", "5.2", t0);
        fx.snapshot();
    }

    /** Each test starts from the state the set-up made (see {@link Fixture#restore}), f neither frozen nor merging. */
    @BeforeEach
    void knownState() throws IOException {
        fx.restore();
        if (!show().contains("freeze   not frozen")) {
            appliance.client("aoe:unfreeze f");
            waitShow("freeze   not frozen", true);
        }
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static Path shadow() {
        return appliance.home.resolve("data/aoede/shadow/f.shadow");
    }

    static String client(String command) {
        Sh.Result r = appliance.client(command);
        assertEquals(0, r.exit(), command + ": " + r.out());
        return r.out();
    }

    static String show() {
        return appliance.show("f");
    }

    /** Waits until aoe:show f contains (or no longer contains) the text. */
    static String waitShow(String text, boolean present) {
        return appliance.awaitShow("f", text, present);
    }

    /** The log lines about freeze, for failure messages. */
    static String freezeLog() {
        return String.join("\n", appliance.log().lines().filter(l -> l.toLowerCase().contains("freeze")
                || l.contains("export f") || l.contains("Exception")).toList());
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void verifyOk(String... args) {
        List<String> a = new ArrayList<>(List.of("5.1"));
        a.addAll(List.of(args));
        String out = ini.run("verify", a.toArray(new String[0])).ok().out();
        assertEquals("0", Initiator.field(out, "mismatches"), out);
        assertEquals("0", Initiator.field(out, "errors"), out);
    }

    /** Moves the log aside, restarts the appliance and waits until f serves again. */
    static void restart(String round) throws IOException {
        Path log = appliance.home.resolve("data/log/karaf.log");
        Files.move(log, log.resolveSibling("karaf.log.before-" + round));
        appliance.start();
        appliance.waitForLog("export f: e5.1 answering on " + t0, Duration.ofSeconds(60));
        // the target gets the freeze extension while it activates: nothing may reference back (a DS cycle)
        assertFalse(appliance.log().contains("cycle"), freezeLog());
        assertFalse(appliance.log().contains("\tat "), "no stack trace after a restart: " + freezeLog());
    }

    @Test
    @Order(1)
    void shellRefusalsAreClear() {
        // a session's commands run until the first that fails
        String out = appliance.client("aoe:show f\naoe:freeze nosuch").out();
        assertTrue(out.contains("freeze   not frozen"), out);
        assertTrue(out.contains("no export 'nosuch'"), out);
        out = appliance.client("aoe:freeze g").out();
        assertTrue(out.contains("does not use freeze"), out);
        out = appliance.client("aoe:unfreeze f").out();
        assertTrue(out.contains("is not frozen"), out);
    }

    @Test
    @Order(2)
    void frozenImageStaysUnchangedAndTheMergeKeepsNewerWrites() throws Exception {
        Path img = work.resolve("f.img");
        String before = sha256(img);
        String out = client("aoe:freeze f");
        assertTrue(out.contains("FROZEN"), out);
        assertTrue(Files.exists(shadow()), "shadow at the default path " + shadow());
        Sh.Result again = appliance.client("aoe:freeze f");
        assertTrue(again.out().contains("already frozen"), again.out());

        verifyOk("--seed", "1", "--count-frames", "2000", "--qd", "16");
        assertEquals(before, sha256(img), "the image is byte-for-byte unchanged while frozen under writes");
        assertTrue(client("aoe:list").contains("frozen"), "aoe:list flags it");

        // writes in flight across the unfreeze and during the (throttled) merge
        Path vout = work.resolve("verify2.out");
        Process v = ini.start(vout, "verify", "5.1", "--count-frames", "4000", "--qd", "8", "--seed", "2", "--min-seconds", "4");
        try {
            Appliance.sleep(300);
            out = client("aoe:unfreeze f");
            assertTrue(out.contains("MERGING"), out);
            String merging = show();
            assertTrue(merging.contains("MERGING"), "progress visible while merging:\n" + merging);
            assertTrue(v.waitFor(120, TimeUnit.SECONDS), "verify did not end");
            String o = Files.readString(vout);
            assertEquals(0, v.exitValue(), o);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
        } finally {
            v.destroyForcibly();
        }
        waitShow("freeze   not frozen", true);
        assertFalse(Files.exists(shadow()), "shadow removed after the merge");
        assertNotEquals(before, sha256(img));
        // straight from the image now: seed 2's writes survived the merge of the older shadow data
        verifyOk("--seed", "2", "--count-frames", "4000", "--qd", "16", "--phase", "read");
        assertTrue(appliance.log().contains("export f: merge done"), "merge logged");
    }

    @Test
    @Order(3)
    void kill9WhileFrozenLosesNothing() throws Exception {
        Path img = work.resolve("f.img");
        String before = sha256(img);
        client("aoe:freeze f");
        verifyOk("--seed", "3", "--count-frames", "4000", "--qd", "16");
        appliance.kill9();
        assertFalse(appliance.isAlive());
        assertEquals(before, sha256(img), "the image unchanged after the crash");
        restart("kill-frozen");
        String s = show();
        assertTrue(s.contains("FROZEN"), "still frozen after the restart:\n" + s + "\n" + freezeLog());
        verifyOk("--seed", "3", "--count-frames", "4000", "--qd", "16", "--phase", "read");
        assertEquals(before, sha256(img));
    }

    @Test
    @Order(4)
    void kill9WhileMergingLosesNothing() throws Exception {
        client("aoe:freeze f");
        verifyOk("--seed", "3", "--count-frames", "4000", "--qd", "16");   // a shadow of about 4 MB
        client("aoe:set f freeze.merge-rate 128K");        // a merge of the 4 MB shadow that lasts ~30 s
        String out = client("aoe:unfreeze f");
        assertTrue(out.contains("MERGING"), out);
        // acknowledged during the merge: newer than the shadow's data at overlapping sectors
        verifyOk("--seed", "4", "--count-frames", "1500", "--qd", "16");
        assertTrue(show().contains("MERGING"), "still merging when killed");
        appliance.kill9();
        restart("kill-merging");
        assertTrue(show().contains("MERGING"), "merging again after the restart");
        client("aoe:unset f freeze.merge-rate");           // the rest at full speed
        waitShow("freeze   not frozen", true);
        assertFalse(Files.exists(shadow()));
        verifyOk("--seed", "4", "--count-frames", "1500", "--qd", "16", "--phase", "read");
    }

    @Test
    @Order(5)
    void uninstalledWhileFrozenTheExportIsSilentUntilTheBundleIsBack() throws Exception {
        client("aoe:freeze f");
        verifyOk("--seed", "5", "--count-frames", "2000", "--qd", "16");
        appliance.uninstallBundle("org.aoede.freeze");
        String s = waitShow("waiting for extension 'freeze'", true);
        assertTrue(s.contains("waiting for extension 'freeze'"), s);
        Sh.Result r = ini.run("read", "5.1", "--lba", "0", "--count", "1", "--tries", "3", "--timeout-ms", "200");
        assertNotEquals(0, r.exit(), "no answer while the freeze bundle is missing: " + r.out());
        Sh.Result aoe = appliance.client("aoe:freeze f");
        assertTrue(aoe.out().contains("not installed"), aoe.out());

        appliance.installBundle("freeze");
        waitShow("waiting for extension", false);
        assertTrue(show().contains("FROZEN"), "picked up again, still frozen");
        verifyOk("--seed", "5", "--count-frames", "2000", "--qd", "16", "--phase", "read");
        client("aoe:unfreeze f");
        waitShow("freeze   not frozen", true);
        verifyOk("--seed", "5", "--count-frames", "2000", "--qd", "16", "--phase", "read");
        // Karaf logs each refused shell command (ShellUtil) with its trace; anything else is a bug
        List<String> errors = appliance.log().lines().filter(l -> l.contains("| ERROR |") && !l.contains("ShellUtil")).toList();
        assertTrue(errors.isEmpty(), "no errors logged: " + errors);
    }

    @Test
    @Order(6)
    void aFullShadowAnswersWritesWithAnAtaError() {
        client("aoe:set f freeze.limit 64K");             // 128 sectors
        waitShow("freeze   not frozen, limit 64.0 KiB", true);
        client("aoe:freeze f");
        String out = ini.run("verify", "5.1", "--seed", "6", "--count-frames", "200", "--qd", "8").out();
        assertNotEquals("0", Initiator.field(out, "errors"), "writes past the limit are refused: " + out);
        String s = show();
        assertTrue(s.contains("FROZEN (128 sectors in the shadow)") && s.contains("limit 64.0 KiB"), s);
        client("aoe:unfreeze f");
        waitShow("freeze   not frozen", true);
        client("aoe:unset f freeze.limit");
    }
}
