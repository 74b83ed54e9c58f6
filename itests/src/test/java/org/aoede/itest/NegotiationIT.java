package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extension negotiation (AoE 0x23) and coalesced read (0x24) against the built appliance: the
 * project's initiator on two interfaces of one namespace (two MACs: {@code ini} negotiates,
 * {@code plain} never does, like the Linux driver), the appliance in another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NegotiationIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Initiator ini;
    static Initiator plain;
    static String written;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500, 1500);
        appliance = fx.appliance;
        ini = fx.initiator(0);
        plain = fx.initiator(1);
        String t0 = fx.t(0);
        String t1 = fx.t(1);
        fx.images(SECTORS * 512, "a.img", "b.img", "c.img");
        fx.export("a", 1, 0, t0 + ", " + t1, work.resolve("a.img"), "extensions = negotiation");
        fx.export("b", 2, 0, t0, work.resolve("b.img"));
        fx.export("c", 3, 0, t0, work.resolve("c.img"), "extensions = negotiation, crc");
        fx.answering("a", "1.0", t0, t1);
        fx.answering("b", "2.0", t0);
        fx.answering("c", "3.0", t0);
        appliance.waitForLog("extension 'negotiation' available", Duration.ofSeconds(30));
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

    @Test
    @Order(1)
    void negotiationAcceptsWhatTheExportProvides() {
        String out = ini.run("negotiate", "1.0", "reset", "congestion", "5", "coalesced_read", "crc8x4", "bogus").ok().out();
        assertEquals("RESET,CONGESTION,COALESCED_READ", Initiator.field(out, "accepted"), out);
        assertEquals("crc8x4,bogus", Initiator.field(out, "rejected"), out);
        assertEquals("1.0", Initiator.field(out, "target"), out);
    }

    @Test
    @Order(2)
    void coalescedReadReturnsWhatWasWritten() {
        String w = plain.run("write", "1.0", "--lba", "100", "--count", "40", "--pattern", "7").ok().out();
        written = Initiator.field(w, "sha256");
        String r = ini.run("read", "1.0", "--lba", "100", "--count", "40", "--coalesced").ok().out();
        assertEquals(written, Initiator.field(r, "sha256"), r);
        assertEquals("1", Initiator.field(r, "frames"), "20 entries of 2 sectors in one 0x24 frame: " + r);
        assertEquals("0", Initiator.field(r, "retransmits"), "every entry answered by the coalesced frame: " + r);
        // an initiator that never negotiated: 0x24 is an unknown command for it
        var refused = plain.run("read", "1.0", "--lba", "100", "--count", "4", "--coalesced", "--tries", "2");
        assertNotEquals(0, refused.exit(), refused.out());
        assertTrue(refused.out().contains("aoe-error=1"), refused.out());
    }

    @Test
    @Order(3)
    void exportWithoutExtensionsAnswersError1() {
        var r = ini.run("negotiate", "2.0", "reset", "coalesced_read");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("aoe-error=1"), r.out());
        // and it still serves normally
        ini.run("read", "2.0", "--lba", "0", "--count", "2").ok();
    }

    @Test
    @Order(4)
    void crc8x4IsAcceptedOnlyWhereTheCrcExtensionIsUsed() {
        Assumptions.assumeTrue(appliance.count("extension 'crc' available") > 0, "the crc extension is not in this build");
        // on e1.0 (extensions = negotiation) it was rejected above; e3.0 uses crc as well.
        // Negotiation is per export and initiator MAC: what ini has on e1.0 does not carry over.
        String out = ini.run("negotiate", "3.0", "crc8x4", "coalesced_read").ok().out();
        assertEquals("CRC8X4,COALESCED_READ", Initiator.field(out, "accepted"), out);
    }

    @Test
    @Order(5)
    void removingTheBundleSilencesOnlyInitiatorsThatRelyOnIt() {
        appliance.client("bundle:stop org.aoede.negotiation").ok();
        appliance.waitForLog("extension 'negotiation' gone", Duration.ofSeconds(30));
        appliance.awaitShow("a", "extension negotiation not installed", true);
        try {
            // the initiator that negotiated coalesced_read: the target drops its requests, all of them
            var silent = ini.run("read", "1.0", "--lba", "100", "--count", "2", "--tries", "2", "--timeout-ms", "200");
            assertNotEquals(0, silent.exit(), silent.out());
            assertTrue(silent.out().isEmpty() || !silent.out().contains("sha256="), silent.out());
            // the one that never negotiated is still served
            String r = plain.run("read", "1.0", "--lba", "100", "--count", "40").ok().out();
            assertEquals(written, Initiator.field(r, "sha256"), r);
            // without the extension 0x23 is an unknown command again
            var unknown = plain.run("negotiate", "1.0", "reset");
            assertTrue(unknown.out().contains("aoe-error=1"), unknown.out());
        } finally {
            appliance.client("bundle:start org.aoede.negotiation").ok();
        }
        appliance.awaitShow("a", "not installed", false);
        // the negotiation was kept by the target: coalesced_read still on for this initiator
        String r = ini.run("read", "1.0", "--lba", "100", "--count", "40", "--coalesced").ok().out();
        assertEquals(written, Initiator.field(r, "sha256"), r);
        assertEquals("0", Initiator.field(r, "retransmits"), r);
    }

    @Test
    @Order(6)
    void resetForgetsAndAConfigSetResetsOnlyTheSetter() {
        // the plain initiator negotiates coalesced_read too, then sets the config string
        String n = plain.run("negotiate", "1.0", "coalesced_read").ok().out();
        assertEquals("COALESCED_READ", Initiator.field(n, "accepted"), n);
        plain.run("config", "1.0", "--set", "hello").ok();
        var refused = plain.run("read", "1.0", "--lba", "100", "--count", "2", "--coalesced", "--tries", "2");
        assertTrue(refused.out().contains("aoe-error=1"), "a config set reset the setter's negotiation: " + refused.out());
        // ... but not the other initiator's
        ini.run("read", "1.0", "--lba", "100", "--count", "2", "--coalesced").ok();
        // reset alone forgets everything of the sender
        String r = ini.run("negotiate", "1.0", "reset").ok().out();
        assertEquals("RESET", Initiator.field(r, "accepted"), r);
        var after = ini.run("read", "1.0", "--lba", "100", "--count", "2", "--coalesced", "--tries", "2");
        assertTrue(after.out().contains("aoe-error=1"), after.out());
    }

    @Test
    @Order(7)
    void uninstallingTheBundleMakes0x23UnknownAndInstallingItsJarBringsItBack() throws Exception {
        Assumptions.assumeTrue(appliance.count("extension 'crc' available") > 0, "the crc extension is not in this build");
        // ini relies on coalesced_read on e1.0, and on crc8x4 and coalesced_read on e3.0 (negotiation, crc)
        assertEquals("RESET,COALESCED_READ", Initiator.field(ini.run("negotiate", "1.0", "reset", "coalesced_read").ok().out(),
                "accepted"));
        assertEquals("RESET,CRC8X4,COALESCED_READ", Initiator.field(
                ini.run("negotiate", "3.0", "reset", "crc8x4", "coalesced_read").ok().out(), "accepted"));
        // a verify of ini on e3.0 (it asks for crc8x4 again, coalesced_read stays on) runs across the removal
        Path out = work.resolve("verify-uninstall.out");
        Process v = ini.start(out, "verify", "3.0", "--crc", "--count-frames", "4000",
                "--min-seconds", "15", "--qd", "8", "--seed", "9", "--tries", "40", "--timeout-ms", "200");
        try {
            Appliance.sleep(3000);
            appliance.uninstallBundle("org.aoede.negotiation");
            appliance.awaitShow("a", "(extension negotiation not installed)", true);
            appliance.awaitShow("c", "(extension negotiation not installed)", true);
            // 0x23 is an unknown command now
            var unknown = plain.run("negotiate", "1.0", "reset");
            assertEquals(1, unknown.exit(), unknown.out());
            assertTrue(unknown.out().contains("aoe-error=1"), unknown.out());
            // ini negotiated names the missing bundle provides: no answers at all
            var silent = ini.run("read", "1.0", "--lba", "100", "--count", "2", "--tries", "2", "--timeout-ms", "200");
            assertNotEquals(0, silent.exit(), silent.out());
            assertTrue(!silent.out().contains("sha256="), silent.out());
            // everyone else is served
            String r = plain.run("read", "1.0", "--lba", "100", "--count", "40").ok().out();
            assertEquals(written, Initiator.field(r, "sha256"), r);
            Appliance.sleep(2000);
            String line = appliance.installBundle("negotiation");
            appliance.awaitShow("a", "not installed", false);
            appliance.awaitShow("c", "not installed", false);
            assertTrue(v.waitFor(180, TimeUnit.SECONDS), "verify did not end");
            String o = java.nio.file.Files.readString(out);
            System.out.println("negotiation uninstall/install: " + line.strip() + " | " + o.replace('\n', ' '));
            assertEquals(0, v.exitValue(), o + "\n" + line);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
            assertEquals("0", Initiator.field(o, "errors"), o);
            assertTrue(Long.parseLong(Initiator.field(o, "retransmits")) > 0, "it waited through the removal: " + o);
        } finally {
            v.destroyForcibly();
        }
        // the target kept what ini negotiated: a coalesced read works without negotiating again
        String r = ini.run("read", "1.0", "--lba", "100", "--count", "40", "--coalesced").ok().out();
        assertEquals(written, Initiator.field(r, "sha256"), r);
        assertEquals("0", Initiator.field(r, "retransmits"), r);
        // and 0x23 is answered again
        assertEquals("RESET", Initiator.field(plain.run("negotiate", "1.0", "reset").ok().out(), "accepted"));
    }
}
