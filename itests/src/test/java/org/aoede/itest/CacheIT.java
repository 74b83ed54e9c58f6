package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * The cache extension end to end, in direct mode (images under target/, not tmpfs) with the
 * test-only latency wrapper: export c (e4.1) caches, export n (e4.2) has the same latency and no
 * cache ({@code cache.size = 0}). Verify through the cache; bench seqread with and without it
 * (printed, not asserted); the cache bundle stopped while a verify runs (served without it); kill -9
 * after acknowledged writes loses nothing. Export w (e4.3, AF_PACKET on its own veth pair, the
 * initiator on AF_PACKET too) coalesces writes: a QD16 write workload verifies and the coalescing
 * counters move; the cache bundle is uninstalled under a verify load and installed back from the
 * build's jar file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheIT {
    static final long SECTORS = 32L * 1024 * 1024 / 512;
    static final int LATENCY_US = 200;

    @TempDir
    static Path work;
    static Path images;
    static Fixture fx;
    static Appliance appliance;
    static Initiator ini;
    static Initiator iniW;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500, 1500);
        appliance = fx.appliance;
        ini = fx.initiator(0);
        iniW = fx.initiator(1);
        String t0 = fx.t(0);
        String t1 = fx.t(1);
        images = Files.createDirectories(Path.of("target").toAbsolutePath().resolve("cache-it-" + fx.lan.prefix));
        for (String img : new String[] {"c.img", "n.img", "w.img"}) {
            Fixture.sparse(images.resolve(img), SECTORS * 512);
        }
        String latency = "cache.test-latency-us = " + LATENCY_US;
        fx.export("c", 4, 1, t0, images.resolve("c.img"), "direct = true", "extensions = cache", "cache.size = 16M", latency);
        fx.export("n", 4, 2, t0, images.resolve("n.img"), "direct = true", "extensions = cache", "cache.size = 0", latency);
        fx.export("w", 4, 3, t1, images.resolve("w.img"), "transport = afpacket", "direct = true", "extensions = cache",
                "cache.size = 16M", latency);
        fx.answering("c", "4.1", t0);
        fx.answering("w", "4.3", t1);
        fx.answering("n", "4.2", t0);
        fx.snapshot();
    }

    /** Each test starts from the state the set-up made (see {@link Fixture#restore}). */
    @BeforeEach
    void knownState() throws IOException {
        fx.restore();
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
        if (images != null) {
            for (String img : new String[] {"c.img", "n.img", "w.img"}) {
                Files.deleteIfExists(images.resolve(img));
            }
            Files.deleteIfExists(images);
        }
    }

    static String show(String name) {
        return appliance.show(name);
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
        Process v = ini.start(out, "verify", "4.1", "--count-frames", "4000", "--min-seconds", "12", "--qd", "8",
                "--seed", "9", "--tries", "40", "--timeout-ms", "200");
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
        return appliance.awaitShow("c", text, present);
    }

    /** The number after {@code key=} in aoe:show's output; aoe:show leaves out counters that are 0. */
    static long stat(String show, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)" + java.util.regex.Pattern.quote(key)
                + "=(\\d+)").matcher(show);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    @Order(4)
    void coalescedWritesAtQd16VerifyAndAreCounted() {
        String before = show("w");
        long vectored0 = stat(before, "cache-vectored-writes");
        // the whole 32 MiB disk, sequentially, 16 in flight: write phase then read phase
        String v = iniW.run("verify", "4.3", "--all", "--qd", "16", "--seed", "21", "--transport", "afpacket").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        String after = show("w");
        long coalesced = stat(after, "cache-coalesced-writes");
        long vectored = stat(after, "cache-vectored-writes");
        System.out.println("CacheIT coalescing (afpacket both ends, QD16, " + LATENCY_US + " us): " + v.trim()
                + "\n  cache-coalesced-writes=" + coalesced + " cache-vectored-writes=" + vectored
                + " store-gathering-writes=" + stat(after, "store-gathering-writes")
                + " cache-write-errors=" + stat(after, "cache-write-errors"));
        assertTrue(coalesced > 0, "writes were coalesced: " + after);
        assertTrue(vectored > vectored0, "gathering writes were made: " + after);
        assertTrue(coalesced >= 2 * vectored, "each gathering write took two writes at least: " + after);
        assertTrue(stat(after, "store-gathering-writes") >= vectored, "the file store did them in one call each: " + after);
        assertEquals(0, stat(after, "cache-write-errors"), after);
    }

    @Test
    @Order(5)
    void uninstalledUnderLoadThenInstalledFromTheJarFile() throws Exception {
        Path jar = Appliance.bundleJar("cache");
        Path out = work.resolve("verify-w.out");
        Process v = iniW.start(out, "verify", "4.3", "--transport", "afpacket", "--count-frames", "6000",
                "--min-seconds", "12", "--qd", "16", "--seed", "22", "--tries", "40", "--timeout-ms", "200");
        try {
            Appliance.sleep(3000);
            Sh.Result u = appliance.client("bundle:uninstall org.aoede.cache");
            assertEquals(0, u.exit(), u.out());
            String show = appliance.awaitShow("w", "cache not installed", true);
            assertTrue(show.contains("cache not installed"), show);
            assertTrue(!appliance.client("bundle:list -s").out().contains("org.aoede.cache"), "the bundle is gone");
            assertTrue(v.waitFor(180, TimeUnit.SECONDS), "verify did not end");
            String o = Files.readString(out);
            assertEquals(0, v.exitValue(), o);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
            assertEquals("0", Initiator.field(o, "errors"), o);
            // back from the jar file of the build: a bundle the running distribution does not have now
            Sh.Result i = appliance.client("bundle:install -s file:" + jar);
            assertEquals(0, i.exit(), i.out());
            show = appliance.awaitShow("w", "cache not installed", false);
            assertTrue(!show.contains("cache not installed"), show);
            long misses0 = stat(show, "cache-misses");
            // sequential again (--all), so that there are contiguous writes to coalesce
            String again = iniW.run("verify", "4.3", "--all", "--qd", "16", "--seed", "23",
                    "--transport", "afpacket").ok().out();
            assertEquals("0", Initiator.field(again, "mismatches"), again);
            assertEquals("0", Initiator.field(again, "errors"), again);
            String after = show("w");
            assertTrue(stat(after, "cache-misses") > misses0, "the export uses the new cache: " + after);
            assertTrue(stat(after, "cache-coalesced-writes") > 0, "and coalesces through it: " + after);
        } finally {
            v.destroyForcibly();
        }
    }

    @Test
    @Order(10)
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
