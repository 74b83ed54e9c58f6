package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover with fencing (issue 15, part 2): two appliances with the same export of one RBD image
 * and the project's initiator on one AoE LAN ({@link RbdPair}: a bridge in a namespace of its own;
 * no addresses on any AoE interface). The holder is killed with -9, then a live holder is cut from
 * the LAN; the standby takes over each time under a verify/write load.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RbdFailoverIT {
    static final String ADDRESS = "4.0";
    static final String TAKEN = "export s: took over e4\\.0";
    static final String STANDBY = RbdPair.standby("s");

    @TempDir
    static Path work;
    static RbdPair pair;
    static Appliance a;
    static Appliance b;
    static Initiator ini;
    static String tns;
    static String lns;
    static String ta;
    static String tb;
    static String lb;

    @BeforeAll
    static void start() throws IOException {
        pair = new RbdPair();
        try {
            String ins = pair.lan.namespace("i");
            String ii = pair.lan.ifname("ii");
            String li = pair.lan.ifname("li");
            pair.lan.veth(ii, ins, li, pair.lns, 1500);
            pair.bridge(li);
            ini = new Initiator(ins, ii);
            pair.serve(work, "shared", "8M", "s", 4, 0, "rbd.takeover-after = 5");
        } catch (IOException | RuntimeException | Error e) {
            pair.close();
            pair = null;
            throw e;
        }
        a = pair.a;
        b = pair.b;
        tns = pair.tns;
        lns = pair.lns;
        ta = pair.ta;
        tb = pair.tb;
        lb = pair.lb;
    }

    @AfterAll
    static void stop() {
        if (pair != null) {
            pair.close();
        }
    }

    /** A verify/write load across what the test does meanwhile, patient enough for a takeover. */
    static Process load(Path out, int seed) throws IOException {
        return ini.start(out, "verify", ADDRESS, "--count-frames", "1024", "--qd", "8", "--seed", String.valueOf(seed),
                "--min-seconds", "35", "--tries", "40", "--timeout-ms", "250");
    }

    static String finished(Process load, Path out) throws Exception {
        assertTrue(load.waitFor(240, TimeUnit.SECONDS), "the load did not finish");
        String o = Files.readString(out);
        assertEquals(0, load.exitValue(), o);
        assertEquals("0", Initiator.field(o, "errors"), o);
        assertEquals("0", Initiator.field(o, "mismatches"), o);
        return o;
    }

    @Test
    @Order(1)
    void aKilledHolderIsReplacedByTheStandbyUnderLoad() throws Exception {
        assertTrue(b.client("aoe:list").ok().out().contains("standby"), b.client("aoe:list").out());
        ini.run("config", ADDRESS, "--force-set", "failover-1").ok();    // live state, kept with the image
        Path out = work.resolve("load1.txt");
        Process load = load(out, 21);
        Appliance.sleep(6000);
        long before = b.count(TAKEN);
        long t = System.nanoTime();
        a.kill9();
        b.waitForMore(TAKEN, before, Duration.ofSeconds(90));
        long ms = (System.nanoTime() - t) / 1_000_000;
        String line = b.waitForLog(TAKEN, Duration.ofSeconds(1));
        System.out.println("RbdFailoverIT: takeover after kill -9 of the holder: " + ms + " ms (" + line + ")");
        String o = finished(load, out);
        System.out.println("RbdFailoverIT: load across the kill: " + o.trim());
        assertTrue(b.client("aoe:show s").ok().out().contains("serving"));
        String cfg = ini.run("config", ADDRESS, "--read").ok().out();
        assertEquals("failover-1", Initiator.field(cfg, "config"), "the new holder's config string: " + cfg);
    }

    @Test
    @Order(2)
    void aHolderCutFromTheLanIsFencedAndItsLateWritesNeverLand() throws Exception {
        a.start();                                            // the killed one comes back: a standby now
        a.waitForLog(STANDBY, Duration.ofSeconds(90));
        long bStandby = b.count(STANDBY);
        Path out = work.resolve("load2.txt");
        Process load = load(out, 22);
        Appliance.sleep(6000);
        long before = a.count(TAKEN);
        long t = System.nanoTime();
        Sh.run(10, "ip", "-n", lns, "link", "set", lb, "down").ok();    // a partition: b lives, the LAN is gone
        a.waitForMore(TAKEN, before, Duration.ofSeconds(90));
        long ms = (System.nanoTime() - t) / 1_000_000;
        System.out.println("RbdFailoverIT: takeover after the holder's link was cut: " + ms + " ms");
        String o = finished(load, out);
        System.out.println("RbdFailoverIT: load across the partition: " + o.trim());

        // What the new holder wrote last, to compare after the old holder is back.
        byte[] data = new byte[128 * 512];
        ThreadLocalRandom.current().nextBytes(data);
        Path in = work.resolve("last.bin");
        Files.write(in, data);
        ini.run("write", ADDRESS, "--lba", "1000", "--count", "128", "--in", in.toString()).ok();

        Sh.run(10, "ip", "-n", lns, "link", "set", lb, "up").ok();
        b.waitForLog("export s: fenced: ", Duration.ofSeconds(60));
        b.waitForMore(STANDBY, bStandby, Duration.ofSeconds(60));
        Appliance.sleep(2000);
        String macA = Lan.mac(tns, ta);
        String macB = Lan.mac(tns, tb);
        String found = ini.run("discover", ADDRESS, "--wait-ms", "2000").ok().out();
        assertTrue(found.contains("mac=" + macA), found);
        assertFalse(found.contains("mac=" + macB), "the fenced holder answers:\n" + found);
        Sh.Result late = ini.run("write", ADDRESS, "--mac", macB, "--lba", "1000", "--count", "128",
                "--pattern", "99", "--tries", "3");
        assertNotEquals(0, late.exit(), "the fenced holder took a write:\n" + late.out());

        Path back = work.resolve("back.bin");
        ini.run("read", ADDRESS, "--lba", "1000", "--count", "128", "--out", back.toString()).ok();
        assertArrayEquals(data, Files.readAllBytes(back), "the image changed after the new holder's last write");
        String v = ini.run("verify", ADDRESS, "--all", "--qd", "8", "--seed", "23").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        String list = b.client("aoe:list").ok().out();
        assertTrue(list.contains("standby"), list);
    }

    @Test
    @Order(3)
    void aHandoverMovesTheImageAtOnce() {
        String free = TAKEN + " \\(the image's lock was free\\)";
        long before = b.count(free);
        String h = a.client("aoe:handover s").ok().out();
        long t = System.nanoTime();
        assertTrue(h.contains("standby"), h);
        b.waitForMore(free, before, Duration.ofSeconds(30));
        System.out.println("RbdFailoverIT: handover: the standby answers " + (System.nanoTime() - t) / 1_000_000
                + " ms after aoe:handover returned");
        String v = ini.run("verify", ADDRESS, "--count-frames", "256", "--qd", "8", "--seed", "24", "--tries", "20").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertTrue(a.client("aoe:show s").ok().out().contains("standby"));
    }
}
