package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports on Ceph RBD images (issue 15, part 1): a real one-OSD cluster in the appliance's
 * namespace (scripts/ceph-test-cluster.sh), the built appliance, the project's initiator.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RbdStoreIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static CephCluster ceph;
    static Initiator ini;
    static String t0;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500);
        try {
            ceph = CephCluster.start(fx.tns, work.resolve("ceph"));
        } catch (RuntimeException | Error e) {
            fx.close();
            throw e;
        }
        t0 = fx.t(0);
        ini = fx.initiator(0);
        ceph.rbd("create", "--size", "16M", "rbd/disk1").ok();
        fx.appliance.writeExport("r", Fixture.exportCfg(2, 0, t0, Path.of(rbd("disk1"))));
        fx.answering("r", "2.0", t0);
    }

    @AfterAll
    static void stop() {
        try {
            if (fx != null && fx.appliance.isAlive()) {
                fx.appliance.client("aoe:delete r");            // closes the image before the cluster goes
            }
        } finally {
            try {
                if (ceph != null) {
                    ceph.close();
                }
            } finally {
                if (fx != null) {
                    fx.close();
                }
            }
        }
    }

    static String rbd(String image, String... options) {
        StringBuilder b = new StringBuilder("rbd:rbd/").append(image);
        for (String o : options) {
            b.append(':').append(o);
        }
        return b.append(":conf=").append(ceph.conf).toString();
    }

    @Test
    @Order(1)
    void servesTheImageAndVerifies() {
        String id = ini.run("identify", "2.0").ok().out();
        assertEquals(String.valueOf(SECTORS), Initiator.field(id, "sectors"));
        String v = ini.run("verify", "2.0", "--all", "--qd", "16", "--seed", "15").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals(String.valueOf(SECTORS), Initiator.field(v, "sectors"), v);
        ini.run("flush", "2.0").ok();
        String show = fx.appliance.client("aoe:show r").ok().out();
        assertTrue(show.contains("store    Ceph RBD image rbd/disk1"), show);
        assertTrue(show.contains("serving"), show);
    }

    @Test
    @Order(2)
    void aResizeIsAdvertisedAndIdentifyShowsIt() {
        long before = fx.appliance.count("export r: .* now has \\d+ sectors; advertising again");
        ceph.rbd("resize", "--size", "32M", "rbd/disk1").ok();
        fx.appliance.waitForMore("export r: .* now has 65536 sectors; advertising again", before, Duration.ofSeconds(30));
        String id = ini.run("identify", "2.0").ok().out();
        assertEquals("65536", Initiator.field(id, "sectors"));
        String v = ini.run("verify", "2.0", "--lba", "40000", "--count", "2048", "--qd", "16").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
    }

    @Test
    @Order(3)
    void aWindowOfAnImage() throws IOException {
        ceph.rbd("create", "--size", "8M", "rbd/disk2").ok();
        fx.appliance.writeExport("w", Fixture.exportCfg(2, 1, t0, Path.of(rbd("disk2")), "offset = 2048", "length = 4096"));
        fx.answering("w", "2.1", t0);
        assertEquals("4096", Initiator.field(ini.run("identify", "2.1").ok().out(), "sectors"));
        String v = ini.run("verify", "2.1", "--all", "--qd", "8").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        String past = ini.run("ata", "2.1", "--cmd", "24", "--aflags", "40", "--count", "1", "--lba", "4096").out();
        assertEquals("0x10", Initiator.field(past, "error"), past);   // IDNF: past the window, an ATA error
    }

    /** aoe:create refuses, naming the problem, writes no .cfg; the rbd: export goes on serving. */
    static void refused(String name, String file, String... problem) {
        long t = System.nanoTime();
        String out = fx.appliance.client("aoe:create " + name + " 3 " + Math.abs(name.hashCode() % 200) + " " + t0
                + " " + file).out();
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertTrue(out.contains("refused: "), file + ":\n" + out);
        for (String p : problem) {
            assertTrue(out.contains(p), file + ": expected '" + p + "' in:\n" + out);
        }
        assertTrue(ms < 30_000, file + ": refused after " + ms + " ms");
        assertTrue(!Files.exists(fx.appliance.home.resolve("etc/org.aoede.export-" + name + ".cfg")), name);
    }

    @Test
    @Order(4)
    void refusalsAreClearAndTheOtherExportsServeOn() throws IOException {
        refused("missing", rbd("nope"), "no image 'nope' in pool 'rbd'");
        refused("nopool", "rbd:nopool/x:conf=" + ceph.conf, "pool 'nopool'", "ENOENT");
        ceph.rbd("create", "--size", "1M", "rbd/disk3").ok();           // not in use: the cluster is asked
        refused("user", rbd("disk3", "id=nobody"), "cannot connect", "client.nobody");
        Path wrongKey = work.resolve("wrong.keyring");
        Sh.run(30, "ceph-authtool", "--create-keyring", wrongKey.toString(), "--gen-key", "-n", "client.admin").ok();
        refused("key", rbd("disk3", "keyring=" + wrongKey), "cannot connect", "client.admin");
        Path nowhere = work.resolve("nowhere.conf");
        Files.writeString(nowhere, "[global]\nmon host = [v2:127.0.0.1:9]\nkeyring = " + ceph.keyring + "\n");
        refused("unreachable", "rbd:rbd/disk3:conf=" + nowhere, "cannot connect", "ETIMEDOUT");
        refused("syntax", "rbd:disk1", "names no pool");
        refused("option", "rbd:rbd/disk1:mon_host=127.0.0.1", "option 'mon_host' is not supported");
        refused("snap", "rbd:rbd/disk1@s1", "snapshots");
        refused("noconf", "rbd:rbd/disk1:conf=/nonexistent/ceph.conf", "/nonexistent/ceph.conf does not exist");
        refused("inuse", rbd("disk1"), "in use by another export");

        // A .cfg dropped in place is refused at start the same way, and only that export.
        fx.appliance.writeExport("dropped", Fixture.exportCfg(3, 250, t0, Path.of(rbd("gone"))));
        fx.appliance.waitForLog("export etc/org.aoede.export-dropped.cfg: refused: .*no image 'gone'", Duration.ofSeconds(30));

        String v = ini.run("verify", "2.0", "--count-frames", "512", "--qd", "16", "--seed", "7").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
    }

    /**
     * Issue 15: an image without the exclusive-lock feature has no lock to decide which appliance
     * writes, so a writable export of it is refused, saying how to turn the feature on: by aoe:create,
     * at the start of a dropped .cfg (the log, aoe:show), and as an edit that would make a read-only
     * export writable. Read-only, it serves what the image holds; the other exports serve on.
     */
    @Test
    @Order(5)
    void anImageWithoutExclusiveLockServesOnlyReadOnly() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(15).nextBytes(data);
        Path file = Files.write(work.resolve("nolock.raw"), data);
        ceph.rbd("import", "--image-feature", "layering", file.toString(), "rbd/nolock").ok();
        String info = ceph.rbd("info", "rbd/nolock").ok().out();
        assertTrue(info.contains("features: layering"), info);
        assertFalse(info.contains("exclusive-lock"), info);
        String v;
        String why = "a writable export needs the image's exclusive-lock feature: rbd feature enable rbd/nolock exclusive-lock";

        refused("nolock", rbd("nolock"), why);

        fx.appliance.writeExport("nolockcfg", Fixture.exportCfg(3, 251, t0, Path.of(rbd("nolock"))));
        fx.appliance.waitForLog("export etc/org.aoede.export-nolockcfg.cfg: refused: .*" + Pattern.quote(why),
                Duration.ofSeconds(30));
        String show = fx.appliance.client("aoe:show nolockcfg").ok().out();
        assertTrue(show.contains("refused: ") && show.contains(why), show);
        Sh.Result silent = ini.run("identify", "3.251", "--tries", "2", "--timeout-ms", "300");
        assertTrue(silent.exit() != 0, "a refused export answers nothing:\n" + silent.out());

        fx.appliance.writeExport("nolockro", Fixture.exportCfg(3, 252, t0, Path.of(rbd("nolock")), "read-only = true"));
        fx.answering("nolockro", "3.252", t0);
        assertEquals(String.valueOf(data.length / 512), Initiator.field(ini.run("identify", "3.252").ok().out(), "sectors"));
        String read = ini.run("read", "3.252", "--lba", "0", "--count", String.valueOf(data.length / 512)).ok().out();
        assertEquals(FreezeIT.sha256(file), Initiator.field(read, "sha256"), "the image's bytes, read through the export");
        String w = ini.run("write", "3.252", "--lba", "0", "--count", "1", "--pattern", "1").out();
        assertTrue(w.contains("status=0x41") && w.contains("error=0x04"), "a write to a read-only export is aborted: " + w);

        String edit = fx.appliance.client("aoe:set nolockro read-only false").out();
        assertTrue(edit.contains("refused: ") && edit.contains(why), edit);
        assertTrue(Files.readString(fx.appliance.etc("org.aoede.export-nolockro.cfg")).contains("read-only = true"));
        ini.run("read", "3.252", "--lba", "0", "--count", "8").ok();
        assertTrue(fx.appliance.client("aoe:show nolockro").ok().out().contains("serving"));

        // The fix the message names: with the feature on, the same edit makes it a writable export,
        // which takes the image's lock as every writable rbd: export does.
        ceph.rbd("feature", "enable", "rbd/nolock", "exclusive-lock").ok();
        long locked = fx.appliance.count("rbd/nolock.*: took the image's exclusive lock");
        fx.appliance.client("aoe:set nolockro read-only false").ok();
        fx.appliance.waitForMore("rbd/nolock.*: took the image's exclusive lock", locked, Duration.ofSeconds(30));
        Browser.waitFor("a write to e3.252 accepted", Duration.ofSeconds(30), () -> ini.run("write", "3.252", "--lba", "0",
                "--count", "1", "--pattern", "1").exit() == 0);
        v = ini.run("verify", "3.252", "--count-frames", "256", "--qd", "8", "--seed", "9").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);

        v = ini.run("verify", "2.0", "--count-frames", "512", "--qd", "16", "--seed", "8").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
    }
}
