package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache extension end to end, in direct mode (images under target/, not tmpfs) with the
 * test-only latency wrapper: export c (e4.1) caches, export n (e4.2) has the same latency and no
 * cache ({@code cache.size = 0}). Verify through the cache; bench seqread with and without it
 * (printed, not asserted); the cache bundle stopped while a verify runs (served without it); kill -9
 * after acknowledged writes loses nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheIT {
    static final long SECTORS = 32L * 1024 * 1024 / 512;
    static final int LATENCY_US = 200;

    @TempDir
    static Path work;
    static Path images;
    static Lan lan;
    static Appliance appliance;
    static Initiator ini;
    static String ins;

    @BeforeAll
    static void start() throws IOException {
        lan = new Lan();
        String tns = lan.namespace("t");
        ins = lan.namespace("i");
        String t0 = lan.ifname("t0");
        lan.veth(t0, tns, lan.ifname("i0"), ins, 1500);
        ini = new Initiator(ins, lan.ifname("i0"));
        images = Files.createDirectories(Path.of("target").toAbsolutePath().resolve("cache-it-" + lan.prefix));
        for (String img : new String[] {"c.img", "n.img"}) {
            try (RandomAccessFile f = new RandomAccessFile(images.resolve(img).toFile(), "rw")) {
                f.setLength(SECTORS * 512);
            }
        }
        appliance = new Appliance(work, tns);
        appliance.start();
        appliance.writeExport("c", "shelf = 4\nslot = 1\ninterfaces = " + t0 + "\nfile = " + images.resolve("c.img")
                + "\ndirect = true\nextensions = cache\ncache.size = 16M\ncache.test-latency-us = " + LATENCY_US + "\n");
        appliance.writeExport("n", "shelf = 4\nslot = 2\ninterfaces = " + t0 + "\nfile = " + images.resolve("n.img")
                + "\ndirect = true\nextensions = cache\ncache.size = 0\ncache.test-latency-us = " + LATENCY_US + "\n");
        appliance.waitForLog("export c: e4.1 answering on " + t0, Duration.ofSeconds(30));
        appliance.waitForLog("export n: e4.2 answering on " + t0, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws IOException {
        if (appliance != null) {
            appliance.close();
        }
        if (lan != null) {
            lan.close();
        }
        if (images != null) {
            for (String img : new String[] {"c.img", "n.img"}) {
                Files.deleteIfExists(images.resolve(img));
            }
            Files.deleteIfExists(images);
        }
    }

    static String show(String name) {
        Sh.Result r = appliance.client("aoe:show " + name);
        assertEquals(0, r.exit(), r.out());
        return r.out();
    }

    @Test
    @Order(1)
    void verifyThroughTheCache() {
        String v = ini.run("verify", "4.1", "--count-frames", "3000", "--qd", "16", "--seed", "3").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        String show = show("c");
        assertTrue(show.contains("cache-hits"), show);
        assertTrue(!show.contains("not installed"), show);
    }

    @Test
    @Order(2)
    void benchSeqreadWithAndWithoutTheCache() {
        Map<String, String> lines = new LinkedHashMap<>();
        for (String target : new String[] {"4.2", "4.1"}) {
            String out = ini.run("bench", target, "--pattern", "seqread", "--sectors", "2", "--qd", "16",
                    "--warmup", "1", "--seconds", "5").ok().out().trim();
            assertEquals("0", Initiator.field(out, "errors"), out);
            lines.put(target.equals("4.1") ? "cache   " : "no cache", out);
        }
        StringBuilder report = new StringBuilder("CacheIT bench, direct, " + LATENCY_US + " us injected store latency, MTU 1500:\n");
        lines.forEach((k, v) -> report.append(k).append(' ').append(v).append('\n'));
        report.append("cache stats: ").append(show("c").lines().filter(l -> l.contains("cache-"))
                .reduce("", (a, b) -> a + b.trim() + "  ")).append('\n');
        System.out.println(report);
    }

    @Test
    @Order(3)
    void stoppingTheCacheBundleServesWithoutIt() throws Exception {
        Path out = work.resolve("verify.out");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ins, System.getProperty("java.home") + "/bin/java",
                "-jar", Initiator.jar(), "verify", "-i", lan.ifname("i0"), "4.1", "--count-frames", "4000",
                "--min-seconds", "12", "--qd", "8", "--seed", "9", "--tries", "40", "--timeout-ms", "200"));
        Process v = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Appliance.sleep(3000);
            assertEquals(0, appliance.client("bundle:stop org.aoede.cache").exit());
            String show = waitShow("cache not installed", true);
            assertTrue(show.contains("cache not installed"), show);
            // served straight from the image meanwhile
            ini.run("read", "4.1", "--lba", "0", "--count", "2").ok();
            assertTrue(v.waitFor(180, TimeUnit.SECONDS), "verify did not end");
            String o = Files.readString(out);
            assertEquals(0, v.exitValue(), o);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
            assertEquals("0", Initiator.field(o, "errors"), o);
            assertEquals(0, appliance.client("bundle:start org.aoede.cache").exit());
            show = waitShow("cache not installed", false);
            assertTrue(!show.contains("cache not installed"), show);
            String again = ini.run("verify", "4.1", "--count-frames", "1000", "--qd", "8", "--seed", "10").ok().out();
            assertEquals("0", Initiator.field(again, "mismatches"), again);
            assertTrue(show("c").contains("cache-hits"), "the export picked the cache up again");
        } finally {
            v.destroyForcibly();
        }
    }

    static String waitShow(String text, boolean present) {
        long t0 = System.nanoTime();
        String show = "";
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15)) {
            show = show("c");
            if (show.contains(text) == present) {
                break;
            }
            Appliance.sleep(200);
        }
        return show;
    }

    @Test
    @Order(4)
    void killAfterAcknowledgedWritesLosesNothing() throws Exception {
        Map<Long, String> written = new LinkedHashMap<>();
        for (long lba : new long[] {10, 15, 4096, 50_000}) {           // 15: across a cache block boundary
            ini.run("read", "4.1", "--lba", String.valueOf(lba), "--count", "2").ok();   // cached first
            String w = ini.run("write", "4.1", "--lba", String.valueOf(lba), "--count", "2",
                    "--pattern", String.valueOf(lba % 97 + 1)).ok().out();
            written.put(lba, Initiator.field(w, "sha256"));
            String r = ini.run("read", "4.1", "--lba", String.valueOf(lba), "--count", "2").ok().out();
            assertEquals(written.get(lba), Initiator.field(r, "sha256"), "a read after the write sees it");
        }
        appliance.kill9();
        assertTrue(!appliance.isAlive());
        try (RandomAccessFile f = new RandomAccessFile(images.resolve("c.img").toFile(), "r")) {
            for (Map.Entry<Long, String> e : written.entrySet()) {
                byte[] b = new byte[2 * 512];
                f.seek(e.getKey() * 512);
                f.readFully(b);
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
                assertEquals(e.getValue(), sha, "the image holds the acknowledged write at " + e.getKey());
            }
        }
    }
}
