package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * CRC8x4 end to end: an export with {@code extensions = negotiation, crc} on two veth pairs; the
 * initiator on the first pair negotiates crc8x4 (its MAC is what the target remembers), the one on
 * the second never does. Then the crc bundle is stopped and started while the first one works.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrcIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Initiator crc;       // negotiates crc8x4
    static Initiator plain;     // never does

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500, 1500);
        appliance = fx.appliance;
        crc = fx.initiator(0);
        plain = fx.initiator(1);
        fx.export("c", 3, 1, fx.t(0) + ", " + fx.t(1), Fixture.sparse(work.resolve("c.img"), SECTORS * 512),
                "extensions = negotiation, crc");
        fx.answering("c", "3.1", fx.t(1), fx.t(0));
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

    static String show() {
        return appliance.show("c");
    }

    @Test
    @Order(1)
    void advertisedSectorCountLeavesRoomForTheCrc() {
        String d = plain.run("discover", "3.1").ok().out();
        assertEquals("2", Initiator.field(d, "sectors"), d);   // (1500 - 4 - 36) / 512
    }

    @Test
    @Order(2)
    void verifyWithCrc() {
        String v = crc.run("verify", "3.1", "--crc", "--count-frames", "2000", "--qd", "16", "--seed", "7").ok().out();
        assertTrue(v.contains("negotiated target=3.1 crc8x4"), v);
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        long checked = Long.parseLong(Initiator.field(v, "checked"));
        assertTrue(checked >= 2000, "every read reply and IDENTIFY checked: " + v);
        String show = show();
        assertTrue(!show.contains("crc-mismatch") || show.matches("(?s).*crc-mismatch[=: ]+0\\b.*"), show);
        // IDENTIFY: 512 bytes of data, the CRC checked and stripped
        String id = crc.run("ata", "3.1", "--crc", "--cmd", "ec", "--count", "1").ok().out();
        assertEquals("512", Initiator.field(id, "datalen"), id);
        assertEquals("1", Initiator.field(id, "checked"), id);
    }

    @Test
    @Order(3)
    void notNegotiatedGetsPlainReplies() {
        String id = plain.run("ata", "3.1", "--cmd", "ec", "--count", "1").ok().out();
        assertEquals("512", Initiator.field(id, "datalen"), "no trailer for an initiator that never asked: " + id);
        // the negotiated MAC without checking: the four bytes are there after the data
        String raw = crc.run("ata", "3.1", "--cmd", "ec", "--count", "1").ok().out();
        assertEquals("516", Initiator.field(raw, "datalen"), raw);
        // and its writes without a CRC are refused (AoE error 2), not applied unchecked
        Sh.Result w = crc.run("write", "3.1", "--lba", "100", "--count", "1", "--pattern", "9", "--tries", "2");
        assertEquals(1, w.exit(), w.out());
        assertTrue(w.out().contains("aoe-error=2"), w.out());
        String p = plain.run("write", "3.1", "--lba", "100", "--count", "2", "--pattern", "9").ok().out();
        String r = crc.run("read", "3.1", "--crc", "--lba", "100", "--count", "2").ok().out();
        assertEquals(Initiator.field(p, "sha256"), Initiator.field(r, "sha256"));
    }

    @Test
    @Order(4)
    void corruptedCrcIsNotAppliedNorAcknowledged() {
        String w = crc.run("write", "3.1", "--crc", "--crc-corrupt", "1", "--lba", "200", "--count", "2",
                "--pattern", "11").ok().out();
        assertTrue(Long.parseLong(Initiator.field(w, "retransmits")) >= 1, "the bad frame got no answer: " + w);
        String r = plain.run("read", "3.1", "--lba", "200", "--count", "2").ok().out();
        assertEquals(Initiator.field(w, "sha256"), Initiator.field(r, "sha256"), "the retransmission was applied");
        String show = show();
        assertTrue(show.matches("(?s).*crc-mismatch[=: ]+[1-9].*"), show);
        String log = appliance.waitForLog("CRC mismatch in a write from .*not applied", Duration.ofSeconds(10));
        assertTrue(log.contains("not applied"), log);
    }

    @Test
    @Order(5)
    void stoppingTheCrcBundleSilencesTheNegotiatedInitiatorOnly() throws Exception {
        // a long verify of the negotiated initiator runs across the stop and the start
        Path out = work.resolve("verify.out");
        Process v = crc.start(out, "verify", "3.1", "--crc", "--count-frames", "4000", "--min-seconds", "15", "--qd", "8",
                "--seed", "5", "--tries", "40", "--timeout-ms", "200");
        try {
            Appliance.sleep(3000);
            assertEquals(0, appliance.client("bundle:stop org.aoede.crc").exit());
            String show = appliance.awaitShow("c", "crc not installed", true);
            assertTrue(show.contains("crc not installed"), show);
            // the negotiated MAC gets no answers at all; the other initiator is served
            Sh.Result silent = crc.run("ata", "3.1", "--cmd", "ec", "--count", "1", "--tries", "2", "--timeout-ms", "200");
            assertNotEquals(0, silent.exit(), silent.out());
            String id = plain.run("ata", "3.1", "--cmd", "ec", "--count", "1").ok().out();
            assertEquals("512", Initiator.field(id, "datalen"), id);
            plain.run("read", "3.1", "--lba", "0", "--count", "2").ok();
            Appliance.sleep(2000);
            assertEquals(0, appliance.client("bundle:start org.aoede.crc").exit());
            assertTrue(v.waitFor(180, TimeUnit.SECONDS), "verify did not end");
            String o = Files.readString(out);
            assertEquals(0, v.exitValue(), o);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
            assertEquals("0", Initiator.field(o, "errors"), o);
            assertTrue(Long.parseLong(Initiator.field(o, "retransmits")) > 0, "it waited through the stop: " + o);
            // served again, with CRCs
            String again = crc.run("ata", "3.1", "--crc", "--cmd", "ec", "--count", "1").ok().out();
            assertEquals("1", Initiator.field(again, "checked"), again);
            String raw = crc.run("ata", "3.1", "--cmd", "ec", "--count", "1").ok().out();
            assertEquals("516", Initiator.field(raw, "datalen"), raw);
            assertTrue(!show().contains("crc not installed"));
        } finally {
            v.destroyForcibly();
        }
    }

    /** The initiator's own CRC line: {@code crc target=.. checked=N errors=N ...} (replies without a valid CRC). */
    static long[] crcLine(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("crc target=\\S+ checked=(\\d+) errors=(\\d+)").matcher(out);
        assertTrue(m.find(), "no crc line in: " + out);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Test
    @Order(6)
    void uninstallingTheCrcBundleSilencesItsInitiatorAndInstallingItsJarResumesWithCrc() throws Exception {
        // a verify that negotiated crc8x4 once, at its start, runs across the removal and the new install
        Path out = work.resolve("verify-uninstall.out");
        Process v = crc.start(out, "verify", "3.1", "--crc", "--count-frames", "4000", "--min-seconds", "15", "--qd", "8",
                "--seed", "6", "--tries", "40", "--timeout-ms", "200");
        try {
            Appliance.sleep(3000);
            appliance.uninstallBundle("org.aoede.crc");
            String show = appliance.awaitShow("c", "(extension crc not installed)", true);
            assertTrue(show.contains("(extension crc not installed)"), show);
            // no wrong answers: nothing at all for the negotiated MAC (a reply here would be data without its CRC)
            Sh.Result silent = crc.run("ata", "3.1", "--cmd", "ec", "--count", "1", "--tries", "2", "--timeout-ms", "200");
            assertNotEquals(0, silent.exit(), silent.out());
            assertTrue(!silent.out().contains("datalen="), silent.out());
            // the initiator that never negotiated is served as usual
            String id = plain.run("ata", "3.1", "--cmd", "ec", "--count", "1").ok().out();
            assertEquals("512", Initiator.field(id, "datalen"), id);
            Appliance.sleep(2000);
            String line = appliance.installBundle("crc");
            assertTrue(v.waitFor(180, TimeUnit.SECONDS), "verify did not end");
            String o = Files.readString(out);
            assertEquals(0, v.exitValue(), o + "\n" + line);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
            assertEquals("0", Initiator.field(o, "errors"), o);
            assertTrue(Long.parseLong(Initiator.field(o, "retransmits")) > 0, "it waited through the removal: " + o);
            long[] c = crcLine(o);
            System.out.println("crc uninstall/install: " + line.strip() + " | " + o.replace('\n', ' '));
            assertEquals(0, c[1], "no reply without a valid CRC reached the initiator: " + o);
            assertTrue(c[0] >= 4000, "every read reply checked: " + o);
            // the target kept the negotiation: without negotiating again, the reply carries the four bytes
            String raw = crc.run("ata", "3.1", "--cmd", "ec", "--count", "1").ok().out();
            assertEquals("516", Initiator.field(raw, "datalen"), raw);
            String again = crc.run("ata", "3.1", "--crc", "--cmd", "ec", "--count", "1").ok().out();
            assertEquals("1", Initiator.field(again, "checked"), again);
            String after = show();
            assertTrue(!after.contains("not installed"), after);
            assertTrue(!after.contains("crc-mismatch") || after.matches("(?s).*crc-mismatch[=: ]+1\\b.*"),
                    "only the one corrupted on purpose above: " + after);
        } finally {
            v.destroyForcibly();
        }
    }
}
