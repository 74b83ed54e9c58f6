package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * aoetools ({@code aoeping}, {@code aoe-sancheck}) against the appliance: a veth pair between two
 * namespaces made by the test, the appliance on one end, the tools on the other. The tools are
 * raw-socket programs that probe every interface of their namespace, so they run only inside the
 * test's namespace (never in the root namespace).
 *
 * <p>aoeping drops replies shorter than 60 bytes; the appliance pads every reply to 60 bytes, so
 * no padding relay is needed (vblade needs one on veth).
 *
 * <p>Each test starts from a known state ({@link #knownState}), so one runs alone too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AoetoolsIT {
    private static final long SIZE = 64L << 20;
    private static final int MTU = 1500;

    @TempDir
    static Path work;
    private static Fixture fx;
    private static Appliance appliance;
    private static String nsTarget;
    private static String nsTools;
    private static String ifTarget;
    private static String ifTools;

    @BeforeAll
    static void setUp() throws IOException {
        fx = new Fixture(work, MTU);
        appliance = fx.appliance;
        nsTarget = fx.tns;
        nsTools = fx.ins;
        ifTarget = fx.t(0);
        ifTools = fx.i(0);
        Path image = Fixture.sparse(work.resolve("disk.img"), SIZE);
        fx.export("tools", 1, 0, ifTarget, image);
        fx.answering("tools", "1\\.0", ifTarget);
        fx.snapshot();
    }

    /**
     * Each test starts with export e1.0 serving at MTU 1500 on both ends: a test that changed the
     * MTU (or failed half way through changing it) has it set back and re-advertised first.
     */
    @BeforeEach
    void knownState() throws IOException {
        if (Lan.mtu(nsTarget, ifTarget) != MTU || Lan.mtu(nsTools, ifTools) != MTU) {
            String up = "interface " + Pattern.quote(ifTarget) + ": up, .*MTU " + MTU + ", 2 sectors";
            long before = appliance.count(up);
            Lan.setMtu(nsTools, ifTools, MTU);
            Lan.setMtu(nsTarget, ifTarget, MTU);
            appliance.waitForMore(up, before, Duration.ofSeconds(20));
        }
        fx.restore();
    }

    @AfterAll
    static void tearDown() {
        if (fx != null) {
            appliance.log().lines().filter(l -> l.contains("export tools") || l.contains(ifTarget)
                    || l.contains("WARN") || l.contains("ERROR")).forEach(System.out::println);
            fx.close();
        }
    }

    /** Runs an aoetools program in the tools' namespace, with a time limit. */
    private static Sh.Result tool(int seconds, String... args) {
        List<String> cmd = Sh.cmd("ip", "netns", "exec", nsTools, "timeout", String.valueOf(seconds));
        cmd.addAll(List.of(args));
        Sh.Result r = Sh.run(seconds + 10, cmd);
        System.out.println("$ " + String.join(" ", args) + "   (exit " + r.exit() + ")\n" + r.out());
        return r;
    }

    @Test
    @Order(1)
    void aoepingGetsAnAnswer() {
        Sh.Result r = tool(15, "aoeping", "-s", "10", "1", "0", ifTools);
        assertEquals(0, r.exit(), "aoeping got no answer from e1.0:\n" + r.out());
    }

    @Test
    @Order(3)
    void aoepingIdentify() {
        Sh.Result r = tool(15, "aoeping", "-s", "10", "-I", "1", "0", ifTools);
        assertEquals(0, r.exit(), "aoeping -I failed:\n" + r.out());
        assertTrue(r.out().contains("AoEde virtual disk"), "no model in identify data:\n" + r.out());
        assertTrue(r.out().contains("AOEDE-1-0"), "no serial in identify data:\n" + r.out());
    }

    @Test
    @Order(4)
    void sancheckListsTheExport() {
        Sh.Result r = tool(60, "aoe-sancheck");
        assertEquals(0, r.exit(), "aoe-sancheck failed:\n" + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("e1.0") && l.contains(ifTools)),
                "aoe-sancheck does not list e1.0 on " + ifTools + ":\n" + r.out());
        String line = r.out().lines().filter(l -> l.startsWith("e1.0")).findFirst().orElseThrow();
        assertTrue(line.matches("e1\\.0\\s+\\d+\\s+1024\\s+.*"), "payload is not 1024 at MTU 1500: " + line);
    }

    /** Not last on purpose: the tests after it start from MTU 1500 again ({@link #knownState}). */
    @Test
    @Order(2)
    void sancheckSeesJumboPayloadAfterMtuChange() {
        long before = appliance.count("interface " + Pattern.quote(ifTarget) + ": up, .*MTU 9000, 17 sectors");
        Lan.setMtu(nsTarget, ifTarget, 9000);
        Lan.setMtu(nsTools, ifTools, 9000);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (appliance.count("interface " + Pattern.quote(ifTarget) + ": up, .*MTU 9000, 17 sectors") <= before) {
            assertTrue(System.nanoTime() < end, "no re-advertisement at MTU 9000:\n" + appliance.tail());
            Appliance.sleep(200);
        }
        Sh.Result r = tool(60, "aoe-sancheck");
        assertEquals(0, r.exit(), "aoe-sancheck failed:\n" + r.out());
        String line = r.out().lines().filter(l -> l.startsWith("e1.0")).findFirst()
                .orElseThrow(() -> new AssertionError("aoe-sancheck does not list e1.0:\n" + r.out()));
        assertTrue(line.matches("e1\\.0\\s+\\d+\\s+8704\\s+.*"), "payload is not 8704 at MTU 9000: " + line);
    }
}
