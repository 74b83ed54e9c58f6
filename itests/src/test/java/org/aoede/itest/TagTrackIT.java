package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
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
 * Tag tracking end to end: the initiator negotiates monotonic tags and duplicates and reorders its
 * requests on purpose ({@code --dup-reorder}). Export {@code t} ({@code extensions = negotiation,
 * tagtrack}) answers the repeats from its replay cache; export {@code u} (no extensions) handles
 * the same traffic by doing every repeat again. Both verify. Then the bundle is stopped, updated
 * and started under a running verify of a negotiated initiator.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TagTrackIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Initiator ini;
    static Initiator plain;     // never negotiates (its own MAC, on a second pair)

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500, 1500);
        appliance = fx.appliance;
        ini = fx.initiator(0);
        plain = fx.initiator(1);
        String t0 = fx.t(0);
        String t1 = fx.t(1);
        fx.images(SECTORS * 512, "t.img", "u.img", "v.img", "w.img", "x.img");
        fx.export("t", 5, 0, t0, work.resolve("t.img"), "extensions = negotiation, tagtrack");
        fx.export("u", 5, 1, t0, work.resolve("u.img"));
        // CRC and tag tracking together, in the documented order and in the other one
        fx.export("v", 5, 2, t0 + ", " + t1, work.resolve("v.img"), "extensions = negotiation, tagtrack, crc");
        fx.export("w", 5, 3, t0, work.resolve("w.img"), "extensions = negotiation, crc, tagtrack");
        fx.answering("t", "5.0", t0);
        fx.answering("u", "5.1", t0);
        fx.answering("v", "5.2", t0, t1);
        // two initiators (one per pair, so two MACs) with the same tag numbers
        fx.export("x", 5, 4, t0 + ", " + t1, work.resolve("x.img"), "extensions = negotiation, tagtrack");
        fx.answering("w", "5.3", t0);
        fx.answering("x", "5.4", t0, t1);
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

    static String show(String name) {
        return appliance.show(name);
    }

    /** An extension counter from aoe:show (0 when it never counted). */
    static long counter(String show, String key) {
        Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(key) + "=(\\d+)").matcher(show);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    static void verified(String out) {
        assertEquals("0", Initiator.field(out, "mismatches"), out);
        assertEquals("0", Initiator.field(out, "errors"), out);
        assertTrue(Long.parseLong(Initiator.field(out, "duplicated")) > 100, out);
        assertTrue(Long.parseLong(Initiator.field(out, "reordered")) > 100, out);
    }

    @Test
    @Order(1)
    void littleEndianTagsDuplicatesAnsweredFromTheReplayCache() {
        String v = ini.run("verify", "5.0", "--tags", "inc-le", "--dup-reorder", "--count-frames", "2000",
                "--seed", "3").ok().out();
        assertTrue(v.contains("negotiated target=5.0 tag_inc_le"), v);
        verified(v);
        String show = show("t");
        long replays = counter(show, "tag-replay");
        long writes = counter(show, "tag-replay-write");
        // every third request goes twice at once, every seventh again seven requests later: about 0.45 per request
        assertTrue(replays > 1000, "duplicates answered from the cache: " + show);
        assertTrue(writes > 500, "write duplicates acknowledged without applying them again: " + show);
        System.out.println("tagtrack le: " + v.replace('\n', ' ') + " replays=" + replays + " write-replays=" + writes);
    }

    @Test
    @Order(2)
    void bigEndianTagsToo() {
        long before = counter(show("t"), "tag-replay");
        String v = ini.run("verify", "5.0", "--tags", "inc-be", "--dup-reorder", "--count-frames", "2000",
                "--seed", "4").ok().out();
        assertTrue(v.contains("negotiated target=5.0 tag_inc_be"), v);
        verified(v);
        long after = counter(show("t"), "tag-replay");
        assertTrue(after - before > 1000, "replays " + before + " -> " + after);
    }

    @Test
    @Order(3)
    void withoutTrackingTheSameTrafficIsHandledToo() {
        // u has no extensions: 0x23 is an unknown command there, so the tags stay the initiator's
        // own counter (consecutive too); the duplicates and reorders are the same
        Sh.Result refused = ini.run("verify", "5.1", "--tags", "inc-le", "--count-frames", "10", "--tries", "2");
        assertEquals(1, refused.exit(), refused.out());
        String v = ini.run("verify", "5.1", "--dup-reorder", "--count-frames", "2000", "--seed", "5").ok().out();
        verified(v);
        String show = show("u");
        assertFalse(show.contains("tag-replay"), show);
        // the repeats were done again: the export's repeat counter saw them
        Matcher m = Pattern.compile("duplicates\\D*?(\\d+)").matcher(show);
        assertTrue(m.find() && Long.parseLong(m.group(1)) > 100, show);
    }

    @Test
    @Order(4)
    void initiatorsThatNeverNegotiateAreUntouched() {
        // a fresh negotiation without tags (reset only) turns tracking off for this MAC
        ini.run("negotiate", "5.0", "reset").ok();
        long before = counter(show("t"), "tag-replay");
        String v = ini.run("verify", "5.0", "--dup-reorder", "--count-frames", "1000", "--seed", "6").ok().out();
        verified(v);
        assertEquals(before, counter(show("t"), "tag-replay"), "no replays for an initiator without tag_inc_*");
    }
    @Test
    @Order(5)
    void removingTheBundleSilencesTheNegotiatedInitiatorUntilItIsBack() throws Exception {
        // a long verify with tracking runs across the stop, an update (new class loader) and the start
        Path out = work.resolve("verify.out");
        Process v = ini.start(out, "verify", "5.0", "--tags", "inc-be", "--dup-reorder", "--count-frames", "4000",
                "--min-seconds", "25", "--qd", "8", "--seed", "8", "--tries", "40", "--timeout-ms", "200");  // still submitting when the bundle is back
        try {
            Appliance.sleep(3000);
            assertEquals(0, appliance.client("bundle:stop org.aoede.tagtrack").exit());
            String show = appliance.awaitShow("t", "tagtrack not installed", true);
            assertTrue(show.contains("tagtrack not installed"), show);
            // the initiator relies on it: no answers (dropped as "stopped"), so no replays either
            Appliance.sleep(2000);
            long before = counter(show("t"), "tag-replay");
            Sh.Result u = appliance.client("bundle:update org.aoede.tagtrack");
            assertEquals(0, u.exit(), u.out());
            assertEquals(0, appliance.client("bundle:start org.aoede.tagtrack").exit());
            assertTrue(v.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "verify did not end");
            String o = java.nio.file.Files.readString(out);
            assertEquals(0, v.exitValue(), o);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
            assertEquals("0", Initiator.field(o, "errors"), o);
            assertTrue(Long.parseLong(Initiator.field(o, "retransmits")) > 0, "it waited through the stop: " + o);
            String after = show("t");
            assertTrue(counter(after, "stopped") > 0, after);
            assertTrue(counter(after, "tag-replay") > before, "replays again after the update: before=" + before
                    + "\n" + after + "\n" + o);
            assertFalse(show("t").contains("tagtrack not installed"));
        } finally {
            v.destroyForcibly();
        }
    }

    /** The initiator's CRC line: {@code crc target=.. checked=N errors=N} (errors: replies without a valid CRC). */
    static long[] crcLine(String out) {
        Matcher m = Pattern.compile("crc target=\\S+ checked=(\\d+) errors=(\\d+)").matcher(out);
        assertTrue(m.find(), "no crc line in: " + out);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Test
    @Order(6)
    void withCrcEveryReplayCarriesItsCrcInEitherOrder() {
        // negotiation, tagtrack, crc: the reply hooks run in reverse order, so crc appends its four
        // bytes before tagtrack copies the reply; every replay is the reply as sent, CRC included.
        // The initiator checks the CRC of the late replies to its duplicates too (stale-crc-checked).
        String v = ini.run("verify", "5.2", "--crc", "--tags", "inc-le", "--dup-reorder", "--count-frames", "2000",
                "--seed", "10").ok().out();
        assertTrue(v.contains("negotiated target=5.2 tag_inc_le"), v);
        verified(v);
        assertEquals(0, crcLine(v)[1], "every reply, replays included, with a valid CRC: " + v);
        assertTrue(Long.parseLong(Initiator.field(v, "stale-crc-checked")) > 500, "replies to duplicates checked: " + v);
        assertTrue(counter(show("v"), "tag-replay") > 1000, show("v"));
        // negotiation, crc, tagtrack: tagtrack copies the reply before crc appends the CRC; its replays
        // pass crc's reply hook (the extensions listed before the one that answers), which appends one.
        String w = ini.run("verify", "5.3", "--crc", "--tags", "inc-le", "--dup-reorder", "--count-frames", "2000",
                "--seed", "11").ok().out();
        verified(w);
        System.out.println("tagtrack+crc in order: " + v.replace('\n', ' ') + "\nthe other order: " + w.replace('\n', ' '));
        assertTrue(counter(show("w"), "tag-replay") > 1000, show("w"));
        assertEquals(0, crcLine(w)[1], "replays with a valid CRC in this order too: " + w);
        assertTrue(Long.parseLong(Initiator.field(w, "stale-crc-checked")) > 500, "replies to duplicates checked: " + w);
    }

    @Test
    @Order(7)
    void uninstallingTheBundleSilencesItsInitiatorAndInstallingItsJarTracksAgain() throws Exception {
        // a verify with tracking runs across the removal (bundle:uninstall) and the install of the built jar
        Path out = work.resolve("verify-uninstall.out");
        Process v = ini.start(out, "verify", "5.0", "--tags", "inc-le", "--dup-reorder", "--count-frames", "4000",
                "--min-seconds", "30", "--qd", "8", "--seed", "12", "--tries", "40", "--timeout-ms", "200");
        try {
            Appliance.sleep(3000);
            appliance.uninstallBundle("org.aoede.tagtrack");
            String show = appliance.awaitShow("t", "(extension tagtrack not installed)", true);
            assertTrue(show.contains("(extension tagtrack not installed)"), show);
            long stopped = counter(show, "stopped");
            // an initiator that never negotiated tags is served meanwhile, also on an export naming tagtrack:
            // its duplicates and reorders are done again (as without tracking) and verify
            long replaysV = counter(show("v"), "tag-replay");
            String p = plain.run("verify", "5.2", "--dup-reorder", "--count-frames", "1000", "--seed", "13").ok().out();
            verified(p);
            assertEquals(replaysV, counter(show("v"), "tag-replay"), "no replays without the bundle");
            // ini relies on tag_inc_le: its requests are dropped, not answered without tracking
            long before = counter(show("t"), "tag-replay");
            assertTrue(counter(show("t"), "stopped") > stopped, "ini silenced: " + show("t"));
            String line = appliance.installBundle("tagtrack");
            assertTrue(v.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "verify did not end");
            String o = java.nio.file.Files.readString(out);
            System.out.println("tagtrack uninstall/install: " + line.strip() + " | " + o.replace('\n', ' '));
            assertEquals(0, v.exitValue(), o + "\n" + line);
            assertEquals("0", Initiator.field(o, "mismatches"), o);
            assertEquals("0", Initiator.field(o, "errors"), o);
            assertTrue(Long.parseLong(Initiator.field(o, "retransmits")) > 0, "it waited through the removal: " + o);
            String after = show("t");
            assertFalse(after.contains("not installed"), after);
            // the negotiation was kept by the target: the new bundle tracks the same verify's tags at once
            assertTrue(counter(after, "tag-replay") > before, "replays again after the install: before=" + before
                    + "\n" + after + "\n" + o);
        } finally {
            v.destroyForcibly();
        }
    }

    // ---- copies 0-200 ms late at full rate, thousands of tags behind ----------------------------

    /** Write-then-read-back generations over 1 MiB at QD16, 20 % of requests sent again 0-200 ms late. */
    static String[] late(String address, long lba, long seed, String... extra) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(address, "--dup-delay-ms", "200",
                "--dup-percent", "20", "--qd", "16", "--lba", String.valueOf(lba), "--count", "2048", "--all",
                "--generations", "10", "--seed", String.valueOf(seed)));
        a.addAll(java.util.List.of(extra));
        return a.toArray(new String[0]);
    }

    static void noneStale(String out) {
        assertEquals("0", Initiator.field(out, "mismatches"), out);
        assertEquals("0", Initiator.field(out, "errors"), out);
        assertEquals("10", Initiator.field(out, "generations"), out);
        assertTrue(Long.parseLong(Initiator.field(out, "delayed")) > 2000, "20 % of about 20,000 requests: " + out);
    }

    @Test
    @Order(8)
    void lateDuplicatesNeverOverwriteNewerData() {
        long acked = counter(show("t"), "tag-ack-write");
        String v = ini.run("verify", late("5.0", 0, 20, "--tags", "inc-le")).ok().out();
        assertTrue(v.contains("negotiated target=5.0 tag_inc_le"), v);
        noneStale(v);
        String show = show("t");
        System.out.println("late duplicates, tagtrack: " + v.replace('\n', ' ') + " | " + show.replace('\n', ' '));
        // copies older than the replay cache were acknowledged from the history, not applied
        assertTrue(counter(show, "tag-ack-write") > acked, show);
        assertEquals(0, counter(show, "tag-too-old"), show);
        // the control: the same traffic without tracking applies the late copies over newer data
        Sh.Result u = ini.run("verify", late("5.1", 0, 21));
        System.out.println("late duplicates, no tagtrack: " + u.out().replace('\n', ' '));
        assertTrue(Long.parseLong(Initiator.field(u.out(), "mismatches")) > 0,
                "the test sees stale data where nothing tracks tags: " + u.out());
    }

    @Test
    @Order(9)
    void lateDuplicatesWithCrcInEitherOrder() {
        String v = ini.run("verify", late("5.2", 4096, 22, "--crc", "--tags", "inc-le")).ok().out();
        noneStale(v);
        assertEquals(0, crcLine(v)[1], v);
        String w = ini.run("verify", late("5.3", 4096, 23, "--crc", "--tags", "inc-le")).ok().out();
        noneStale(w);
        assertEquals(0, crcLine(w)[1], w);
        System.out.println("late duplicates, tagtrack+crc: " + v.replace('\n', ' ') + "\ncrc+tagtrack: " + w.replace('\n', ' '));
        assertTrue(counter(show("v"), "tag-ack-write") > 0, show("v"));
        assertTrue(counter(show("w"), "tag-ack-write") > 0, show("w"));
    }

    @Test
    @Order(10)
    void twoInitiatorsWithTheSameTagsWritingDisjointAreas() throws Exception {
        // both counters start at 1000 after their own reset: every tag number comes from both MACs
        Path out = work.resolve("verify-second.out");
        Process second = plain.start(out, "verify", late("5.4", 2048, 25, "--tags", "inc-le", "--first-tag", "1000"));
        try {
            String first = ini.run("verify", late("5.4", 0, 24, "--tags", "inc-le", "--first-tag", "1000")).ok().out();
            assertTrue(second.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "second verify did not end");
            String o = java.nio.file.Files.readString(out);
            System.out.println("two initiators: " + first.replace('\n', ' ') + "\n" + o.replace('\n', ' '));
            assertEquals(0, second.exitValue(), o);
            noneStale(first);
            noneStale(o);
            String show = show("x");
            assertEquals(0, counter(show, "tag-conflict"), "each MAC has its own history: " + show);
            assertTrue(counter(show, "tag-ack-write") > 0, show);
        } finally {
            second.destroyForcibly();
        }
    }
}
