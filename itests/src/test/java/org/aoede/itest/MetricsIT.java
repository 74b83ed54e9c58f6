package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statistics out of the appliance: the initiator makes known traffic, then the test scrapes
 * {@code /metrics} over HTTP and reads the MBeans over JMX/RMI with the appliance's admin
 * credential, both from inside the appliance's namespace (the only place they listen).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;
    static final int FRAMES = 300;
    static final String METRICS = "http://127.0.0.1:8181/metrics";
    static final String JMX = "service:jmx:rmi:///jndi/rmi://127.0.0.1:1099/karaf-root";

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Initiator ini;
    static String tns;
    static String t0;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500);
        appliance = fx.appliance;
        tns = fx.tns;
        t0 = fx.t(0);
        ini = fx.initiator(0);
        image("m.img");
        appliance.writeExport("m", export(3, 0, "m.img"));
        appliance.waitForLog("export m: e3.0 answering on " + t0, Duration.ofSeconds(30));
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

    static void image(String name) throws IOException {
        Fixture.sparse(work.resolve(name), SECTORS * 512);
    }

    static String export(int shelf, int slot, String file) {
        return Fixture.exportCfg(shelf, slot, t0, work.resolve(file));
    }

    static String password() throws IOException {
        return Files.readString(appliance.etc("aoede-admin.password")).trim();
    }

    /** GET /metrics inside the namespace; waits for the web server and the endpoint to come up. */
    static String scrape() {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            Sh.Result r = Sh.run(60, Probe.command(tns, "http", METRICS));
            last = r.out();
            if (r.exit() == 0 && last.startsWith("status 200")) {
                return last;
            }
            Appliance.sleep(1000);
        }
        throw new AssertionError("no 200 from " + METRICS + ": " + last + "\n" + appliance.tail());
    }

    static String jmx(String user, String password) {
        return Sh.run(60, Probe.command(tns, "jmx", JMX, user, password, "org.aoede:*")).out();
    }

    /** Samples: "name{labels}" → value, in the order of the text. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("status ")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return out;
    }

    static double value(Map<String, Double> s, String name, String... labels) {
        Predicate<String> match = k -> {
            if (!(k.equals(name) || k.startsWith(name + "{"))) {
                return false;
            }
            for (String l : labels) {
                if (!k.contains(l)) {
                    return false;
                }
            }
            return true;
        };
        return s.entrySet().stream().filter(e -> match.test(e.getKey())).mapToDouble(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + " " + String.join(",", labels) + " in " + s.keySet()));
    }

    static long attr(String jmxOut, String objectName, String attr) {
        Matcher m = Pattern.compile(Pattern.quote(objectName + " " + attr + "=") + "(-?\\d+)").matcher(jmxOut);
        assertTrue(m.find(), "no " + objectName + " " + attr + " in:\n" + jmxOut);
        return Long.parseLong(m.group(1));
    }

    @Test
    @Order(1)
    void prometheusCountersMatchWhatTheInitiatorDid() {
        Map<String, Double> before = samples(scrape());
        String m = "export=\"m\"";
        double reads0 = value(before, "aoede_export_reads_total", m);
        double writes0 = value(before, "aoede_export_writes_total", m);

        String v = ini.run("verify", "3.0", "--count-frames", String.valueOf(FRAMES), "--seed", "7").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        ini.run("read", "3.0", "--lba", String.valueOf(SECTORS), "--count", "1"); // one IDNF
        String text = scrape();
        System.out.println("---- scraped /metrics (excerpt) ----");
        text.lines().filter(l -> l.contains("export=\"m\"") || l.contains("interface=\"" + t0 + "\"") || l.startsWith("# TYPE aoede_"))
                .forEach(System.out::println);
        assertTrue(text.startsWith("status 200 text/plain; version=0.0.4"), text.lines().findFirst().orElse(""));
        Map<String, Double> s = samples(text);

        double reads = value(s, "aoede_export_reads_total", m, "address=\"e3.0\"") - reads0;
        double writes = value(s, "aoede_export_writes_total", m) - writes0;
        assertTrue(reads >= FRAMES, "reads " + reads); // the IDNF read counts as a request and an error, not a read
        assertTrue(writes >= FRAMES, "writes " + writes);
        assertTrue(value(s, "aoede_export_read_bytes_total", m) >= FRAMES * 1024.0);
        assertTrue(value(s, "aoede_export_written_bytes_total", m) >= FRAMES * 1024.0);
        double requests = value(s, "aoede_export_requests_total", m);
        assertTrue(requests >= 2 * FRAMES + 1, "requests " + requests);
        assertTrue(value(s, "aoede_export_errors_total", m, "kind=\"ata-idnf\"") >= 1);
        assertEquals(1.0, value(s, "aoede_export_up", m));
        assertEquals((double) SECTORS, value(s, "aoede_export_sectors", m));
        assertEquals(1.0, value(s, "aoede_export_info", m, "state=\"serving\""));

        // the histogram: cumulative, +Inf = _count, and every answered read/write is in it
        assertTrue(text.contains("# TYPE aoede_export_latency_seconds histogram"));
        double count = value(s, "aoede_export_latency_seconds_count", m);
        assertEquals(count, value(s, "aoede_export_latency_seconds_bucket", m, "le=\"+Inf\""));
        assertTrue(count >= 2 * FRAMES, "latency count " + count);
        double prev = -1;
        for (Map.Entry<String, Double> e : s.entrySet()) {
            if (e.getKey().startsWith("aoede_export_latency_seconds_bucket{") && e.getKey().contains(m)) {
                assertTrue(e.getValue() >= prev, "buckets are cumulative: " + e);
                prev = e.getValue();
            }
        }

        String p = "interface=\"" + t0 + "\"";
        assertTrue(value(s, "aoede_interface_frames_received_total", p) >= requests);
        assertTrue(value(s, "aoede_interface_frames_sent_total", p) >= 2 * FRAMES);
        assertEquals(1.0, value(s, "aoede_interface_up", p));
        assertEquals(1500.0, value(s, "aoede_interface_mtu", p));
        assertEquals(2.0, value(s, "aoede_interface_max_sectors", p));
    }

    @Test
    @Order(1)
    void aServingExportWithARefusedHandEditIsUpAndSaysSo() throws IOException {
        String m = "export=\"m\"";
        appliance.writeExport("m", export(3, 0, "m.img") + "buffer-count = 0\n");
        appliance.waitForLog("export etc/org.aoede.export-m.cfg: edit refused, still serving", Duration.ofSeconds(20));
        Map<String, Double> s = samples(scrape());
        assertEquals(1.0, value(s, "aoede_export_up", m), "it still answers");
        assertEquals(1.0, value(s, "aoede_export_edit_refused", m));
        assertEquals(1.0, value(s, "aoede_export_info", m, "state=\"serving\""));
        String show = appliance.show("m");
        assertTrue(show.contains("serving (last edit refused: key 'buffer-count'") && show.contains("will not start after a restart"),
                show);
        appliance.writeExport("m", export(3, 0, "m.img"));     // fixed: the gauge goes back to 0
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (value(samples(scrape()), "aoede_export_edit_refused", m) != 0.0) {
            assertTrue(System.nanoTime() < end, "aoede_export_edit_refused stayed 1 after the fix");
            Appliance.sleep(300);
        }
    }

    @Test
    @Order(2)
    void jmxMBeansOverRmiWithTheAdminCredential() throws IOException {
        String out = waitForJmx(o -> o.contains("mbean org.aoede:type=Export,name=m") && o.contains("mbean org.aoede:type=Interface,name=" + t0));
        System.out.println("---- JMX ----\n" + out);
        String e = "org.aoede:type=Export,name=m";
        assertTrue(out.contains(e + " Address=e3.0"), out);
        assertTrue(out.contains(e + " State=serving"), out);
        assertTrue(attr(out, e, "Reads") >= FRAMES);
        assertTrue(attr(out, e, "Writes") >= FRAMES);
        assertTrue(attr(out, e, "BytesWritten") >= FRAMES * 1024L);
        assertTrue(attr(out, e, "Errors") >= 1);
        assertTrue(out.contains(e + " ErrorsByKind={") && out.contains("ata-idnf:"), out);
        long p50 = attr(out, e, "LatencyP50Micros");
        assertTrue(p50 > 0, "p50 " + p50);
        assertTrue(attr(out, e, "LatencyCount") >= 2L * FRAMES);
        String i = "org.aoede:type=Interface,name=" + t0;
        assertTrue(attr(out, i, "FramesIn") >= 2L * FRAMES);
        assertTrue(out.contains(i + " Up=true"), out);
        assertTrue(out.contains(i + " Exports=[m]"), out);

        // the scrape and the MBean read the same counters
        Map<String, Double> s = samples(scrape());
        assertTrue(value(s, "aoede_export_reads_total", "export=\"m\"") >= attr(out, e, "Reads"));

        // no credential, no JMX
        Sh.Result bad = Sh.run(60, Probe.command(tns, "jmx", JMX, "admin", "wrong-" + password(), "org.aoede:*"));
        assertNotEquals(0, bad.exit(), bad.out());
        assertTrue(bad.out().contains("SecurityException") || bad.out().contains("nvalid"), bad.out());
    }

    @Test
    @Order(3)
    void mbeansAndSeriesFollowExportsComingAndGoing() throws IOException {
        image("n.img");
        appliance.writeExport("n", export(3, 1, "n.img"));
        appliance.waitForLog("export n: e3.1 answering on " + t0, Duration.ofSeconds(30));
        ini.run("read", "3.1", "--lba", "0", "--count", "2").ok();
        String out = waitForJmx(o -> o.contains("mbean org.aoede:type=Export,name=n"));
        assertTrue(attr(out, "org.aoede:type=Export,name=n", "Reads") >= 1, out);
        assertTrue(out.contains("org.aoede:type=Interface,name=" + t0 + " Exports=[m,n]")
                || out.contains("org.aoede:type=Interface,name=" + t0 + " Exports=[n,m]"), out);
        assertTrue(value(samples(scrape()), "aoede_export_reads_total", "export=\"n\"", "address=\"e3.1\"") >= 1);

        appliance.deleteExport("n");
        out = waitForJmx(o -> !o.contains("mbean org.aoede:type=Export,name=n") && o.contains("mbean org.aoede:type=Export,name=m"));
        assertFalse(samples(scrape()).keySet().stream().anyMatch(k -> k.contains("export=\"n\"")));
    }

    static String waitForJmx(Predicate<String> ok) throws IOException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            out = jmx("admin", password());
            if (ok.test(out)) {
                return out;
            }
            Appliance.sleep(1000);
        }
        throw new AssertionError("JMX never showed what was expected:\n" + out + "\n" + appliance.tail());
    }
}
