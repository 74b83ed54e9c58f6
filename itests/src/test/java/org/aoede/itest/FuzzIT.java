package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Robustness: the fuzzer ({@code tools/fuzzer}, {@code org.aoede.fuzzer.Fuzzer}) throws well over 100k malformed and mutated AoE frames at a
 * serving export, from its own namespace over a veth pair (MTU 9000: 17 sectors a frame).
 *
 * <p>The fuzzed export {@code fz} (5.1) is a 16 MiB window inside a file with 1 MiB random
 * canaries before and after it. A second export {@code pr} (5.2) on the same interface has
 * random content and allowed-macs set to a MAC the fuzzer never sends from, so no frame may
 * legitimately change it. Afterwards the canaries and the protected file must be unchanged,
 * the appliance alive, its log free of stack traces, and the fuzzed export must pass a full
 * verify.
 *
 * <p>Wire state (mask list, reservation, config string): the fuzzer undoes each change right
 * after the frame that made it, and heals at the end (reads the state back and cleans it). If
 * it ended locked out anyway (a repair frame lost), the test makes the operator's edit that
 * wins over wire state — it rewrites fz's .cfg with allowed-macs = the fuzzer's MAC — and runs
 * the fuzzer's heal pass again; the verify then runs from that clean state.
 */
class FuzzIT {
    static final long WINDOW = 16L * 1024 * 1024 / 512;      // sectors
    static final long CANARY = 1024L * 1024 / 512;            // sectors before and after
    static final String PROTECT_MAC = "02:0a:0e:de:f0:0d";
    static final long SEED = 0xA0EDEL;

    @TempDir
    static Path work;
    static Lan lan;
    static Appliance appliance;
    static String tns;
    static String fns;
    static String tIf;
    static String fIf;
    static String fMac;
    static byte[] before;
    static byte[] after;
    static byte[] prot;

    @BeforeAll
    static void start() throws IOException {
        lan = new Lan();
        tns = lan.namespace("t");
        fns = lan.namespace("f");
        tIf = lan.ifname("t0");
        fIf = lan.ifname("f0");
        lan.veth(tIf, tns, fIf, fns, 9000);
        fMac = Lan.mac(fns, fIf);
        assertTrue(!fMac.equalsIgnoreCase(PROTECT_MAC));

        SplittableRandom r = new SplittableRandom(SEED);
        before = random(r, CANARY * 512);
        byte[] window = random(r, WINDOW * 512);
        after = random(r, CANARY * 512);
        prot = random(r, 4L * 1024 * 1024);
        try (RandomAccessFile f = new RandomAccessFile(work.resolve("fz.img").toFile(), "rw")) {
            f.write(before);
            f.write(window);
            f.write(after);
        }
        Files.write(work.resolve("pr.img"), prot);

        appliance = new Appliance(work, tns);
        appliance.start();
        appliance.writeExport("fz", fzConfig(""));
        appliance.writeExport("pr", "shelf = 5\nslot = 2\ninterfaces = " + tIf + "\nfile = " + work.resolve("pr.img")
                + "\nallowed-macs = " + PROTECT_MAC + "\n");
        appliance.waitForLog("export fz: e5.1 answering on " + tIf, Duration.ofSeconds(60));
        appliance.waitForLog("export pr: e5.2 answering on " + tIf, Duration.ofSeconds(60));
    }

    static String fzConfig(String allowed) {
        return "shelf = 5\nslot = 1\ninterfaces = " + tIf + "\nfile = " + work.resolve("fz.img")
                + "\noffset = " + CANARY + "\nlength = " + WINDOW + "\n"
                + (allowed.isEmpty() ? "" : "allowed-macs = " + allowed + "\n");
    }

    static byte[] random(SplittableRandom r, long n) {
        byte[] b = new byte[(int) n];
        r.nextBytes(b);
        return b;
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
        if (lan != null) {
            lan.close();
        }
    }

    static Sh.Result fuzzer(String mode, long frames, int rate) {
        String jar = System.getProperty("aoede.fuzzer", "../tools/fuzzer/target/aoede-fuzzer.jar");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", fns,
                System.getProperty("java.home") + "/bin/java", "-jar", jar,
                "mode=" + mode, "if=" + fIf, "target-mac=" + Lan.mac(tns, tIf), "shelf=5", "slot=1",
                "sectors=" + WINDOW, "protect-shelf=5", "protect-slot=2", "protect-mac=" + PROTECT_MAC,
                "seed=" + SEED, "frames=" + frames, "rate=" + rate,
                "state=" + appliance.home.resolve("data/aoede/exports/fz.state")));
        return Sh.run(300, cmd);
    }

    @Test
    void fuzzLeavesOtherDataAloneAndTheExportServing() throws IOException {
        Initiator ini = new Initiator(fns, fIf);
        assertEquals(String.valueOf(WINDOW), Initiator.field(ini.run("identify", "5.1").ok().out(), "sectors"));

        Sh.Result fz = fuzzer("fuzz", Long.getLong("fuzz.frames", 160_000), Integer.getInteger("fuzz.rate", 4000));
        System.out.println(fz.out());
        assertEquals(0, fz.exit(), fz.out());
        String summary = fz.out().lines().filter(l -> l.startsWith("summary ")).findFirst().orElseThrow(
                () -> new AssertionError("no summary:\n" + fz.out()));
        if (!"0".equals(Initiator.field(summary, "unreachable"))) {
            // The export stopped answering for a while: show what the appliance's threads were doing.
            System.out.println(Sh.run(60, System.getProperty("java.home") + "/bin/jcmd",
                    String.valueOf(appliance.javaPid()), "Thread.print").out());
            System.out.println(appliance.tail());
        }
        assertTrue(Long.parseLong(Initiator.field(summary, "fuzz-frames")) >= Math.min(100_000, Long.getLong("fuzz.frames", 160_000)), summary);
        assertEquals("0", Initiator.field(summary, "violations"), fz.out());
        // The fuzz must actually have reached the export (not been masked out for most of the run).
        assertTrue(Long.parseLong(Initiator.field(summary, "tracked-replies"))
                >= Long.parseLong(Initiator.field(summary, "fuzz-frames")) / 10, summary);

        assertTrue(appliance.isAlive(), "the appliance died:\n" + appliance.tail());

        if (!"true".equals(Initiator.field(summary, "healed"))) {
            // The operator's edit wins over wire state: a changed allowed-macs replaces the live mask.
            long edits = appliance.count("export fz .*configuration changed live");
            appliance.writeExport("fz", fzConfig(fMac));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (appliance.count("export fz .*configuration changed live") <= edits && System.nanoTime() < end) {
                Appliance.sleep(200);
            }
            Sh.Result clean = fuzzer("clean", 0, 1000);
            System.out.println(clean.out());
            assertEquals(0, clean.exit(), "heal after the .cfg reset failed:\n" + clean.out());
        }

        String v = ini.run("verify", "5.1", "--all", "--qd", "16").out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals(String.valueOf(WINDOW), Initiator.field(v, "sectors"), v);

        // Nothing outside the window changed, nor the protected export's file.
        try (RandomAccessFile f = new RandomAccessFile(work.resolve("fz.img").toFile(), "r")) {
            assertEquals((2 * CANARY + WINDOW) * 512, f.length(), "fz.img changed size");
            byte[] b = new byte[before.length];
            f.readFully(b);
            assertArrayEquals(before, b, "the canary before the window changed");
            f.seek((CANARY + WINDOW) * 512);
            f.readFully(b);
            assertArrayEquals(after, b, "the canary after the window changed");
        }
        assertArrayEquals(prot, Files.readAllBytes(work.resolve("pr.img")), "the protected export's file changed");

        assertTrue(appliance.isAlive(), "the appliance died:\n" + appliance.tail());
        String log = appliance.log();
        List<String> traces = log.lines().filter(l -> l.startsWith("\tat ")).limit(1).toList();
        assertTrue(traces.isEmpty(), "stack trace in karaf.log:\n" + stackContext(log));
        List<String> errors = log.lines().filter(l -> l.contains("| ERROR |") || l.contains("frame handler failed"))
                .toList();
        System.out.println("karaf.log ERROR lines: " + errors.size());
        errors.stream().limit(10).forEach(System.out::println);
        assertTrue(errors.stream().noneMatch(l -> l.contains("Exception")), String.join("\n", errors));
    }

    /** The lines around the first stack frame in the log. */
    static String stackContext(String log) {
        List<String> lines = log.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("\tat ")) {
                return String.join("\n", lines.subList(Math.max(0, i - 5), Math.min(lines.size(), i + 15)));
            }
        }
        return "";
    }
}
