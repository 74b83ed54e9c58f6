package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built appliance as a process in one namespace, the project's initiator in another, a
 * veth pair (and a second one for the two-interface export) between them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExportIT {
    static final long SECTORS = 64L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static Lan lan;
    static Appliance appliance;
    static Initiator ini;
    static Initiator ini2;
    static String t0;
    static String t1;
    static String iniMac;
    static String ins;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500, 9000);
        lan = fx.lan;
        appliance = fx.appliance;
        ins = fx.ins;
        t0 = fx.t(0);
        t1 = fx.t(1);
        ini = fx.initiator(0);
        ini2 = fx.initiator(1);
        iniMac = Lan.mac(ins, fx.i(0));
        image("a.img", SECTORS);
        appliance.writeExport("a", export(1, 0, t0, "a.img"));
        serving("a", "e1.0", t0);
        fx.snapshot();
    }

    /** Each test starts from the state the set-up made (see {@link Fixture#restore}). */
    @BeforeEach
    void knownState() throws IOException {
        fx.restore();
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static Path image(String name, long sectors) throws IOException {
        return Fixture.sparse(work.resolve(name), sectors * 512);
    }

    static String export(int shelf, int slot, String ifaces, String file, String... extra) {
        return Fixture.exportCfg(shelf, slot, ifaces, work.resolve(file), extra);
    }

    /** Export ro (e1.1, read-only) as the read-only test makes it, for the tests that use it too. */
    static void readOnlyExport() throws IOException {
        image("ro.img", 2048);
        String answering = "export ro: e1\\.1 answering on " + t0;
        long before = appliance.count(answering);
        appliance.writeExport("ro", export(1, 1, t0, "ro.img", "read-only = true"));
        appliance.waitForMore(answering, before, Duration.ofSeconds(30));
    }

    static void serving(String name, String address, String iface) {
        appliance.waitForLog("export " + name + ": " + address + " answering on " + iface, Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void discoverAndIdentify() {
        String d = ini.run("discover", "1.0").ok().out();
        assertTrue(d.contains("target 1.0 "), d);
        assertEquals("2", Initiator.field(d, "sectors"), "MTU 1500 carries 2 sectors a frame");
        assertEquals("64", Initiator.field(d, "bufcnt"));
        String id = ini.run("identify", "1.0").ok().out();
        assertEquals(String.valueOf(SECTORS), Initiator.field(id, "sectors"));
        assertEquals("true", Initiator.field(id, "lba48"));
        assertEquals("true", Initiator.field(id, "flushext"));
        assertEquals("AoEde virtual disk", Initiator.field(id, "model"));
    }

    @Test
    @Order(2)
    void verifyRandomWritesAcrossTheWholeExport() {
        String v = ini.run("verify", "1.0", "--all", "--qd", "16", "--seed", "42").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals(String.valueOf(SECTORS), Initiator.field(v, "sectors"), v);
    }

    @Test
    @Order(3)
    void rangeErrorsAreAtaErrorsNotAoeErrors() {
        // last sector: fine; one past: IDNF in the ATA registers
        ini.run("read", "1.0", "--lba", String.valueOf(SECTORS - 1), "--count", "1").ok();
        String past = ini.run("ata", "1.0", "--cmd", "24", "--aflags", "40", "--count", "2",
                "--lba", String.valueOf(SECTORS - 1)).out();
        assertEquals("0x41", Initiator.field(past, "status"), past);
        assertEquals("0x10", Initiator.field(past, "error"), past);
        String huge = ini.run("ata", "1.0", "--cmd", "24", "--aflags", "40", "--count", "1",
                "--lba", String.valueOf((1L << 48) - 1)).out();
        assertEquals("0x10", Initiator.field(huge, "error"), huge);
        // more sectors than advertised: AoE error 2 (bad argument)
        String tooMany = ini.run("ata", "1.0", "--cmd", "24", "--aflags", "40", "--count", "3", "--lba", "0").out();
        assertTrue(tooMany.contains("aoe-error=2"), tooMany);
        // count 0: success without data
        String zero = ini.run("ata", "1.0", "--cmd", "24", "--aflags", "40", "--count", "0", "--lba", "0").out();
        assertEquals("0x40", Initiator.field(zero, "status"), zero);
        // unsupported opcode: ABRT
        String bad = ini.run("ata", "1.0", "--cmd", "b0", "--count", "0").out();
        assertEquals("0x41", Initiator.field(bad, "status"), bad);
        assertEquals("0x04", Initiator.field(bad, "error"), bad);
    }

    @Test
    @Order(4)
    void configStringSetAndTest() throws IOException {
        ini.run("config", "1.0", "--force-set", "").ok();
        ini.run("config", "1.0", "--set", "hello world").ok();
        assertTrue(ini.run("config", "1.0", "--test", "hello world").ok().out().contains("hello world"));
        ini.run("config", "1.0", "--prefix", "hello").ok();
        Sh.Result miss = ini.run("config", "1.0", "--test", "nope");
        assertNotEquals(0, miss.exit());
        assertTrue(miss.out().contains("no-reply"), miss.out());
        assertTrue(ini.run("config", "1.0", "--set", "other").out().contains("aoe-error=4"));
        ini.run("config", "1.0", "--set", "hello world").ok();           // the same string: allowed
        ini.run("config", "1.0", "--force-set", "forced").ok();
        assertEquals("forced", Initiator.field(ini.run("config", "1.0", "--read").ok().out(), "config"));
        Path state = appliance.home.resolve("data/aoede/exports/a.state");
        long deadline = System.currentTimeMillis() + 5000;
        while (!(Files.exists(state) && Files.readString(state).contains("forced"))
                && System.currentTimeMillis() < deadline) {
            Appliance.sleep(100);
        }
        assertTrue(Files.readString(state).contains("config-string.text=forced"), Files.readString(state));
    }

    @Test
    @Order(5)
    void reserveAndRelease() {
        String other = "02:00:00:00:00:99";
        ini.run("reserve", "1.0", "--force", other).ok();
        String denied = ini.run("read", "1.0", "--lba", "0", "--count", "1").out();
        assertTrue(denied.contains("aoe-error=6"), denied);
        ini.run("identify", "1.0").ok();                                 // IDENTIFY is always allowed
        assertTrue(ini.run("reserve", "1.0", "--set", iniMac).out().contains("aoe-error=6"));
        ini.run("reserve", "1.0", "--force", iniMac).ok();
        ini.run("read", "1.0", "--lba", "0", "--count", "1").ok();
        ini.run("reserve", "1.0", "--release").ok();
        assertEquals("0", Initiator.field(ini.run("reserve", "1.0", "--read").ok().out(), "count"));
    }

    @Test
    @Order(6)
    void macMaskList() {
        String other = "02:00:00:00:00:77";
        String out = ini.run("mask", "1.0", "--add", iniMac, "--add", other).ok().out();
        assertTrue(out.contains(other), out);
        ini.run("read", "1.0", "--lba", "0", "--count", "1").ok();
        // removing ourselves: from now on we get no answer at all
        ini.run("mask", "1.0", "--del", iniMac).ok();
        Sh.Result silent = ini.run("read", "1.0", "--lba", "0", "--count", "1", "--tries", "2", "--timeout-ms", "200");
        assertNotEquals(0, silent.exit(), silent.out());
        assertTrue(silent.out().contains("no-reply") || silent.out().contains("no reply"), silent.out());
    }

    @Test
    @Order(7)
    void macFilterFromConfigurationAndHotEdit() throws IOException {
        // The .cfg's allowed-macs is the operator's value: editing it replaces what the wire set.
        appliance.writeExport("a", export(1, 0, t0, "a.img", "allowed-macs = " + iniMac, "buffer-count = 32"));
        appliance.waitForLog("export a \\(etc/org.aoede.export-a.cfg\\): configuration changed live", Duration.ofSeconds(20));
        String d = ini.run("discover", "1.0").ok().out();
        assertEquals("32", Initiator.field(d, "bufcnt"), "a hot edit of the buffer count is advertised");
        ini.run("read", "1.0", "--lba", "0", "--count", "1").ok();
        appliance.writeExport("a", export(1, 0, t0, "a.img", "allowed-macs = 02:00:00:00:00:01"));
        appliance.waitForLog("(?s)configuration changed live.*configuration changed live", Duration.ofSeconds(20));
        Sh.Result silent = ini.run("discover", "1.0", "--wait-ms", "500");
        assertFalse(silent.out().contains("target 1.0"), silent.out());
        appliance.writeExport("a", export(1, 0, t0, "a.img"));
        appliance.waitForLog("(?s)(configuration changed live.*){3}", Duration.ofSeconds(20));
        ini.run("read", "1.0", "--lba", "0", "--count", "1").ok();
    }

    @Test
    @Order(8)
    void readOnlyExportRefusesWrites() throws IOException {
        readOnlyExport();
        ini.run("read", "1.1", "--lba", "0", "--count", "2").ok();
        String w = ini.run("write", "1.1", "--lba", "0", "--count", "1", "--pattern", "1").out();
        assertTrue(w.contains("status=0x41") && w.contains("error=0x04"), w);
    }

    @Test
    @Order(9)
    void twoExportsOnOneInterface() throws IOException {
        readOnlyExport();
        String d = ini.run("discover").ok().out();
        assertTrue(d.contains("target 1.0 ") && d.contains("target 1.1 "), d);
    }

    @Test
    @Order(10)
    void oneExportOnTwoInterfaces() throws IOException {
        image("two.img", 8192);
        appliance.writeExport("two", export(2, 0, t0 + "," + t1, "two.img"));
        serving("two", "e2.0", t0);
        serving("two", "e2.0", t1);
        assertEquals("2", Initiator.field(ini.run("discover", "2.0").ok().out(), "sectors"));
        assertEquals("17", Initiator.field(ini2.run("discover", "2.0").ok().out(), "sectors"), "MTU 9000: 17 sectors");
        String v = ini2.run("verify", "2.0", "--all", "--qd", "8").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        String v1 = ini.run("verify", "2.0", "--count-frames", "500", "--seed", "5").ok().out();
        assertEquals("0", Initiator.field(v1, "mismatches"), v1);
    }

    @Test
    @Order(11)
    void badConfigurationsAreRefusedAndOthersKeepServing() throws IOException {
        appliance.writeExport("bad", export(70000, 0, t0, "a.img"));
        String line = appliance.waitForLog("export etc/org.aoede.export-bad.cfg: refused: key 'shelf'", Duration.ofSeconds(20));
        assertTrue(line.contains("out of range"), line);
        appliance.writeExport("typo", export(5, 0, t0, "a.img", "sinc = true"));
        appliance.waitForLog("export etc/org.aoede.export-typo.cfg: refused: key 'sinc': unknown key", Duration.ofSeconds(20));
        appliance.writeExport("nofile", export(5, 1, t0, "missing.img"));
        String nofile = appliance.waitForLog("export etc/org.aoede.export-nofile.cfg: refused: key 'file': .*missing.img does not exist",
                Duration.ofSeconds(20));
        assertEquals(1, nofile.split("missing.img", -1).length - 1, "the path once: " + nofile);
        // the same file as export a: refused, a keeps its file
        appliance.writeExport("same", export(5, 2, t0, "a.img"));
        appliance.waitForLog("export etc/org.aoede.export-same.cfg: refused: .*overlaps", Duration.ofSeconds(20));
        // a second file claiming a serving export's shelf.slot, while an initiator writes and
        // verifies: the newcomer is refused naming both files; not one request goes unanswered
        image("d1.img", 8192);
        image("d2.img", 2048);
        appliance.writeExport("dup1", export(6, 0, t0, "d1.img"));
        serving("dup1", "e6.0", t0);
        CompletableFuture<Sh.Result> load = CompletableFuture.supplyAsync(() -> ini.run("verify", "6.0",
                "--all", "--qd", "16", "--min-seconds", "10", "--seed", "6"));
        Appliance.sleep(2000);
        appliance.writeExport("dup2", export(6, 0, t0, "d2.img"));
        appliance.waitForLog("e6.0 is already served by etc/org.aoede.export-dup1.cfg: etc/org.aoede.export-dup2.cfg refused",
                Duration.ofSeconds(20));
        Appliance.sleep(1500);
        appliance.deleteExport("dup2");             // removing the newcomer changes nothing
        String v = load.join().ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals("0", Initiator.field(v, "retransmits"), "requests went unanswered: " + v);
        assertEquals(0, appliance.count("export dup1 .*: stopped"), appliance.tail());
        // the others still serve
        ini.run("read", "1.0", "--lba", "0", "--count", "2").ok();
        ini.run("identify", "6.0").ok();
        appliance.deleteExport("dup1");
    }

    @Test
    @Order(12)
    void badEditOfARunningExportKeepsTheLastGoodConfiguration() throws IOException {
        appliance.writeExport("a", export(1, 0, t0, "a.img", "buffer-count = 0"));
        appliance.waitForLog("export etc/org.aoede.export-a.cfg: edit refused, still serving the last good configuration: key 'buffer-count'",
                Duration.ofSeconds(20));
        ini.run("read", "1.0", "--lba", "0", "--count", "2").ok();
        appliance.writeExport("a", export(1, 0, t0, "a.img"));
    }

    @Test
    @Order(12)
    void deletingTheFileStopsTheExport() throws IOException {
        readOnlyExport();
        String stopped = "export ro \\(etc/org.aoede.export-ro.cfg\\): stopped";
        long before = appliance.count(stopped);
        appliance.deleteExport("ro");
        appliance.waitForMore(stopped, before, Duration.ofSeconds(20));
        assertFalse(ini.run("discover", "1.1", "--wait-ms", "500").out().contains("target 1.1"));
    }

    @Test
    @Order(13)
    void anInterfaceThatAppearsLaterIsServedWhenItComes() throws IOException {
        String t2 = lan.ifname("t2");
        image("late.img", 2048);
        appliance.writeExport("late", export(8, 0, t2, "late.img"));
        appliance.waitForLog("interface " + t2 + ": .*retrying every", Duration.ofSeconds(20));
        lan.veth(t2, appliance.namespace, lan.ifname("i2"), ins, 1500);
        serving("late", "e8.0", t2);
        new Initiator(ins, lan.ifname("i2")).run("identify", "8.0").ok();
        ini.run("read", "1.0", "--lba", "0", "--count", "2").ok();
    }

    @Test
    @Order(13)
    void anotherTargetWithTheSameAddressIsDetected() throws Exception {
        // vblade in the initiator's namespace already answers e7.0 on the same LAN
        Path img = image("vb.img", 2048);
        Process vblade = new ProcessBuilder("ip", "netns", "exec", ins, "vblade", "7", "0", lan.ifname("i0"),
                img.toString()).redirectErrorStream(true).redirectOutput(work.resolve("vblade.out").toFile()).start();
        try {
            Appliance.sleep(500);
            image("e7.img", 2048);
            appliance.writeExport("seven", export(7, 0, t0, "e7.img"));
            String line = appliance.waitForLog("e7.0 is already answered by .* on " + t0 + ": refusing to start",
                    Duration.ofSeconds(20));
            assertTrue(line.contains("export seven"), line);
        } finally {
            vblade.destroyForcibly().waitFor();
        }
        appliance.deleteExport("seven");
    }

    @Test
    @Order(13)
    void aMountedBlockDeviceIsRefused() throws IOException {
        Path img = image("loop.img", 32768);
        String loop = Sh.run(20, "losetup", "-f", "--show", img.toString()).ok().out().trim();
        Path mnt = work.resolve("mnt");
        Files.createDirectories(mnt);
        try {
            Sh.run(60, "mkfs.ext4", "-q", loop).ok();
            Sh.run(20, "mount", loop, mnt.toString()).ok();
            appliance.writeExport("blk", export(9, 0, t0, "x", "file = " + loop).replace("file = " + work.resolve("x") + "\n", ""));
            appliance.waitForLog("export etc/org.aoede.export-blk.cfg: refused: .*" + loop + ".*in use",
                    Duration.ofSeconds(20));
            Sh.run(20, "umount", mnt.toString()).ok();
            // The kernel may release the device a moment after umount returns (CI once saw it still
            // claimed a second later): wait until an exclusive open works, as the appliance's will.
            long until = System.currentTimeMillis() + 20_000;
            while (Sh.run(10, "python3", "-c", "import os,sys; os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL))",
                    loop).exit() != 0 && System.currentTimeMillis() < until) {
                Appliance.sleep(200);
            }
            appliance.writeExport("blk", export(9, 0, t0, "x", "file = " + loop, "enabled = true")
                    .replace("file = " + work.resolve("x") + "\n", ""));
            serving("blk", "e9.0", t0);
            assertEquals("32768", Initiator.field(ini.run("identify", "9.0").ok().out(), "sectors"));
            // while exported, the device cannot be mounted
            assertNotEquals(0, Sh.run(20, "mount", loop, mnt.toString()).exit());
            appliance.deleteExport("blk");
            appliance.waitForLog("export blk \\(etc/org.aoede.export-blk.cfg\\): stopped", Duration.ofSeconds(20));
        } finally {
            Sh.run(20, "umount", mnt.toString());
            Sh.run(20, "losetup", "-d", loop);
        }
    }

    @Test
    @Order(14)
    void acknowledgedWritesSurviveKill9() throws IOException {
        String w = ini.run("write", "1.0", "--lba", "1000", "--count", "64", "--pattern", "77").ok().out();
        String sha = Initiator.field(w, "sha256");
        appliance.kill9();
        byte[] data = new byte[64 * 512];
        try (RandomAccessFile f = new RandomAccessFile(work.resolve("a.img").toFile(), "r")) {
            f.seek(1000L * 512);
            f.readFully(data);
        }
        assertTrue(sha.startsWith(sha256(data).substring(0, Math.min(sha.length(), 64)))
                || sha256(data).startsWith(sha), "image holds what was acknowledged: " + w);
        assertFalse(appliance.log().contains("\tat "), () -> "no stack trace in the log:\n" + appliance.firstStackTrace());
    }

    @Test
    @Order(15)
    void liveStateSurvivesARestart() throws IOException {
        ini.run("config", "1.0", "--force-set", "forced").ok();
        Path state = appliance.home.resolve("data/aoede/exports/a.state");
        long deadline = System.currentTimeMillis() + 5000;
        while (!(Files.exists(state) && Files.readString(state).contains("config-string.text=forced"))
                && System.currentTimeMillis() < deadline) {
            Appliance.sleep(100);
        }
        appliance.kill9();
        Path log = appliance.home.resolve("data/log/karaf.log");
        Files.move(log, log.resolveSibling("karaf.log.before-kill"));
        appliance.start();
        serving("a", "e1.0", t0);
        assertEquals("forced", Initiator.field(ini.run("config", "1.0", "--read").ok().out(), "config"));
        assertFalse(appliance.log().contains("\tat "), () -> "no stack trace in the log:\n" + appliance.firstStackTrace());
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
