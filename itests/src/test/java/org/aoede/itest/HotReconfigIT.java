package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes a running export's settings and refreshes the target and transport bundles while the
 * initiator runs a verify workload: no I/O error, no mismatch (retransmits are fine).
 */
class HotReconfigIT {
    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Initiator ini;
    static String tns;
    static String ins;
    static String t0;
    static String t1;
    static String iniMac;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500, 1500);
        appliance = fx.appliance;
        tns = fx.tns;
        ins = fx.ins;
        t0 = fx.t(0);
        t1 = fx.t(1);
        ini = fx.initiator(0);
        iniMac = Lan.mac(ins, fx.i(0));
        Fixture.sparse(work.resolve("hot.img"), 64L << 20);
        appliance.writeExport("hot", cfg());
        appliance.waitForLog("export hot: e1.0 answering on " + t0, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static String cfg(String... extra) {
        StringBuilder sb = new StringBuilder("shelf = 1\nslot = 0\nfile = " + work.resolve("hot.img") + "\n");
        boolean ifaces = false;
        for (String e : extra) {
            sb.append(e).append('\n');
            ifaces |= e.startsWith("interfaces");
        }
        if (!ifaces) {
            sb.append("interfaces = ").append(t0).append('\n');
        }
        return sb.toString();
    }

    /** Rewrites the .cfg and waits until the appliance applied it (the n-th live change). */
    static void change(String expectLog, String... settings) throws IOException {
        long before = appliance.count(expectLog);
        appliance.writeExport("hot", cfg(settings));
        long end = System.currentTimeMillis() + 20_000;
        while (appliance.count(expectLog) <= before) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not applied: " + String.join(", ", settings) + "\n" + appliance.tail());
            }
            Appliance.sleep(100);
        }
    }

    static Sh.Result shell(String command) {
        return appliance.client(command);
    }

    /** Runs short verify passes back to back until stopped; every pass must be clean. */
    static CompletableFuture<List<String>> workload(AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(() -> {
            List<String> runs = new ArrayList<>();
            for (int seed = 100; !stop.get(); seed++) {
                Sh.Result r = ini.run("verify", "1.0", "--count-frames", "4000", "--qd", "16", "--seed", String.valueOf(seed));
                runs.add(r.exit() + " " + r.out().trim());
                if (r.exit() != 0) {
                    break;
                }
            }
            return runs;
        });
    }

    static void assertClean(List<String> runs) {
        assertTrue(runs.size() >= 3, "the workload ran during the changes: " + runs);
        for (String r : runs) {
            assertTrue(r.startsWith("0 verify"), "a verify pass failed: " + r);
            assertTrue(r.contains("mismatches=0 errors=0"), r);
        }
    }

    /**
     * Edits made one right after the other are all applied: FileInstall's write-back of the
     * configuration must not rewrite the .cfg from the edit it has just applied, which would lose
     * the next one.
     */
    @Test
    void quickSuccessiveEditsAreAllApplied() throws Exception {
        for (int i = 0; i < 8; i++) {
            change("configuration changed live", "allowed-macs = " + iniMac, "config-string = quick " + i);
        }
        String d = ini.run("discover", "1.0").ok().out();
        assertEquals("quick 7", Initiator.field(d, "config"), d);
        assertTrue(java.nio.file.Files.readString(appliance.etc("org.aoede.export-hot.cfg")).contains("config-string = quick 7"));
    }

    @Test
    void settingsChangeLiveUnderLoad() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<List<String>> load = workload(stop);
        try {
            settingsChangeLiveUnderLoad(stop, load);
        } finally {
            stopAndWait(stop, load);
        }
    }

    /** A failed test must not leave its workload writing beside the next test's. */
    static void stopAndWait(AtomicBoolean stop, CompletableFuture<?> load) {
        stop.set(true);
        try {
            load.get(5, TimeUnit.MINUTES);
        } catch (Exception ignored) {
            // the test reports its own failure
        }
    }

    private void settingsChangeLiveUnderLoad(AtomicBoolean stop, CompletableFuture<List<String>> load) throws Exception {
        Appliance.sleep(1500);
        String live = "configuration changed live";
        change(live, "allowed-macs = " + iniMac + ", 02:00:00:00:00:42");
        change(live, "allowed-macs = " + iniMac + ", 02:00:00:00:00:42", "config-string = hot stuff");
        change(live, "allowed-macs = " + iniMac, "config-string = hot stuff", "buffer-count = 16");
        String mac1 = Lan.mac(ins, fx.i(1));
        change("export hot: e1.0 answering on " + t1, "allowed-macs = " + iniMac + "," + mac1, "config-string = hot stuff",
                "buffer-count = 16", "interfaces = " + t0 + "," + t1);
        Appliance.sleep(1500);
        stop.set(true);
        List<String> runs = load.get(5, TimeUnit.MINUTES);
        assertClean(runs);
        String d = ini.run("discover", "1.0").ok().out();
        assertEquals("16", Initiator.field(d, "bufcnt"), d);
        assertEquals("hot stuff", Initiator.field(d, "config"), d);
        fx.initiator(1).run("identify", "1.0").ok();
    }

    @Test
    void readOnlyOnAndOffDuringAReadPhase() throws Exception {
        ini.run("verify", "1.0", "--count-frames", "20000", "--seed", "9", "--phase", "write").ok();
        CompletableFuture<Sh.Result> reads = CompletableFuture.supplyAsync(() ->
                ini.run("verify", "1.0", "--count-frames", "20000", "--seed", "9", "--phase", "read", "--min-seconds", "12"));
        Appliance.sleep(1500);
        change("export hot \\(etc/org.aoede.export-hot.cfg\\): now .* ro", "read-only = true", "allowed-macs = " + iniMac);
        String w = ini.run("write", "1.0", "--lba", "0", "--count", "1", "--pattern", "1").out();
        assertTrue(w.contains("error=0x04"), "writes are refused while read-only: " + w);
        Appliance.sleep(2000);
        change("export hot \\(etc/org.aoede.export-hot.cfg\\): now [^\\n]*img \\[0\\+131072\\]$", "read-only = false",
                "allowed-macs = " + iniMac);
        Sh.Result r = reads.get(5, TimeUnit.MINUTES);
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("mismatches=0 errors=0"), r.out());
        ini.run("write", "1.0", "--lba", "0", "--count", "1", "--pattern", "1").ok();
    }

    @Test
    void targetAndTransportBundlesRefreshUnderLoad() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<List<String>> load = workload(stop);
        try {
            refreshUnderLoad(stop, load);
        } finally {
            stopAndWait(stop, load);
        }
    }

    private void refreshUnderLoad(AtomicBoolean stop, CompletableFuture<List<String>> load) throws Exception {
        Appliance.sleep(1500);
        long answering = appliance.count("export hot: e1.0 answering on " + t0);
        Sh.Result r = shell("bundle:refresh org.aoede.server");
        assertEquals(0, r.exit(), r.out());
        appliance.waitForMore("export hot: e1.0 answering on " + t0, answering, Duration.ofSeconds(30));
        Appliance.sleep(1500);
        answering = appliance.count("export hot: e1.0 answering on " + t0);
        r = shell("bundle:update org.aoede.transport-afpacket");      // the default transport
        assertEquals(0, r.exit(), r.out());
        appliance.waitForMore("export hot: e1.0 answering on " + t0, answering, Duration.ofSeconds(30));
        Appliance.sleep(1500);
        stop.set(true);
        assertClean(load.get(5, TimeUnit.MINUTES));
        assertTrue(!appliance.log().contains("\tat "), "no stack trace in the log");
    }
}
