package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover under the Linux kernel's {@code aoe} driver (issue 15): two appliances serve the same
 * export of one RBD image (one holds the image's lock and answers, the other stands by), and the
 * guest of itests/vm ({@link GuestVm}, mode {@code failover}) makes an ext4 file system on it and
 * writes files with fsync, one after the other. When the guest says it is writing, the holder's JVM
 * is killed with -9. The standby breaks the lock after {@code rbd.takeover-after} (5 s here),
 * serves and advertises itself; the driver adds its MAC as a path and moves the outstanding
 * requests there. The guest's writes must complete without an I/O error, its {@code e2fsck -fn}
 * must be clean, and every file must read back with the sha256 of what was written; the image as
 * Ceph holds it ({@code rbd export}) must be a clean ext4 on the host too.
 *
 * <p>One AoE LAN ({@link RbdPair}): a bridge in a namespace of its own with the appliances' veth
 * ends and the guest's tap as ports; no address on any of them. The test prints the takeover
 * time, the guest's longest write (its stall) and the driver's view: its targets (paths) with the
 * write frames sent to each, and its retransmits.
 */
class KernelFailoverIT {
    static final String EXPORT = "kf";
    static final long SIZE = 256L << 20;
    static final long SECTORS = SIZE / 512;
    static final int TAKEOVER_AFTER_S = 5;
    static final int FILES = 32;
    static final int FILE_MIB = 2;
    static final long STALL_LIMIT_MS = 40_000;
    static final String TAKEN = "export " + EXPORT + ": took over e1\\.0";

    @TempDir
    static Path work;
    static GuestVm vm;
    static RbdPair pair;
    static String tap;

    @BeforeAll
    static void start() throws IOException {
        vm = GuestVm.prepare();
        pair = new RbdPair();
        try {
            tap = pair.lan.ifname("vm");
            Lan.tap(pair.lns, tap, 1500);
            pair.bridge(tap);
            long t0 = System.nanoTime();
            pair.serve(work, "kfail", SIZE / (1 << 20) + "M", EXPORT, 1, 0, "rbd.takeover-after = " + TAKEOVER_AFTER_S);
            String info = pair.ceph.rbd("info", "rbd/kfail").ok().out();
            assertTrue(info.contains("exclusive-lock"), "the image has no exclusive-lock feature:\n" + info);
            log("cluster, image and two appliances (holder on %s, standby on %s) up in %d s", pair.ta, pair.tb,
                    (System.nanoTime() - t0) / 1_000_000_000L);
        } catch (IOException | RuntimeException | Error e) {
            pair.close();
            pair = null;
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void theGuestWritesThroughAKilledHolder() throws Exception {
        Path console = work.resolve("console-failover.log");
        Appliance a = pair.a;
        Appliance b = pair.b;
        CompletableFuture<GuestVm.Run> guest = vm.start(pair.lns, tap, console, "--mtu", "1500", "--dev", "e1.0",
                "--sectors", String.valueOf(SECTORS), "--wait", "60", "--mode", "failover",
                "--files", String.valueOf(FILES), "--file-mib", String.valueOf(FILE_MIB));
        GuestVm.awaitConsole(console, "AOEVM FAILOVER WRITING", Duration.ofSeconds(vm.timeoutSeconds), guest);

        long before = b.count(TAKEN);
        long t = System.nanoTime();
        a.kill9();
        b.waitForMore(TAKEN, before, Duration.ofSeconds(90));
        long takeoverMs = (System.nanoTime() - t) / 1_000_000;
        String taken = lastLine(b, TAKEN);
        log("kill -9 of the holder while the guest wrote; the standby took over %d ms later: %s", takeoverMs, taken);
        assertTrue(taken.contains("its lock broken (fenced)"), "the standby did not break the holder's lock: " + taken);

        GuestVm.Run run = guest.get(vm.timeoutSeconds + 120, TimeUnit.SECONDS);
        run.print("failover");
        String macA = Lan.mac(pair.tns, pair.ta).replace(":", "").toLowerCase(Locale.ROOT);
        String macB = Lan.mac(pair.tns, pair.tb).replace(":", "").toLowerCase(Locale.ROOT);
        List<String> targets = run.all("AOEVM FAILOVER TARGET ");
        List<String> retransmits = run.all("AOEVM FAILOVER RETRANSMITS ");
        System.out.println("---- the driver's targets for e1.0 after the writes (debugfs; holder "
                + macA + ", standby " + macB + ") ----");
        targets.forEach(System.out::println);
        System.out.println("---- the driver's retransmits (/dev/etherd/err), by the MAC each frame had gone to ----");
        retransmits.forEach(System.out::println);

        String stall = run.first("AOEVM FAILOVER STALL ").orElse("no STALL marker");
        String written = run.first("AOEVM FAILOVER WRITTEN ").orElse("no WRITTEN marker");
        log("guest: %s; %s; run-vm.sh exit %d after %d s", written.substring("AOEVM FAILOVER ".length()),
                stall.substring("AOEVM FAILOVER ".length()), run.exit(), run.seconds());
        List<String> files = run.all("AOEVM FAILOVER FILE ");
        log("guest's per-file write times (ms, dd + fsync of %d MiB each): %s", FILE_MIB,
                files.stream().map(f -> f.substring(f.indexOf(' ') + 1)).toList());

        assertEquals(0, run.exit(), "run-vm.sh failed (console " + console + "):\n" + run.out());
        for (String m : List.of("AOEVM SIZE OK", "AOEVM MKFS OK", "AOEVM FAILOVER IOERRORS 0", "AOEVM FSCK OK 0",
                "AOEVM FAILOVER MISMATCHES BEFORE 0", "AOEVM FAILOVER MISMATCHES 0", "AOEVM FAILS 0", "AOEVM DONE")) {
            assertTrue(run.has(m), "missing " + m + " in " + run.markers());
        }
        assertTrue(written.matches("AOEVM FAILOVER WRITTEN files=" + FILES + " ms=\\d+ errors=0"), written);
        // The kill hit the writes: one file's write waited at least as long as the standby did, and
        // the guest wrote more files after it (through the new holder).
        Matcher s = Pattern.compile("STALL ms=(\\d+) file=(\\d+) after=(\\d+)").matcher(stall);
        assertTrue(s.find(), stall);
        assertTrue(Long.parseLong(s.group(1)) >= TAKEOVER_AFTER_S * 1000L,
                "no write of the guest waited for the takeover (was the holder killed after the writes?): " + stall);
        assertTrue(Integer.parseInt(s.group(3)) >= 1, "the guest wrote nothing after the stall: " + stall);
        // The new holder's advertisement is what tells the driver: without it the driver would find
        // the new holder only by its own discovery, once a minute, after a stall of most of a minute
        // here. With it the stall is the takeover or the driver's 10 s before it moves a request to
        // another path, whichever is longer (about 11 s here).
        assertTrue(Long.parseLong(s.group(1)) < STALL_LIMIT_MS,
                "the guest waited longer than the driver's periodic discovery would take: " + stall);
        // The driver's own view: the standby's MAC is a path of e1.0 now, the dead holder's still is.
        assertTrue(targets.stream().anyMatch(l -> l.startsWith(macA + ":")),
                "the driver forgot the old holder " + macA + ": " + targets);
        long writesToB = writePackets(targets, macB);
        assertTrue(writesToB > 0, "the driver wrote nothing through the new holder " + macB + ": " + targets);
        log("the driver's paths for e1.0: old holder %s (%d write frames), new holder %s (%d write frames)", macA,
                writePackets(targets, macA), macB, writesToB);

        // The image as Ceph holds it, read past both appliances: a clean ext4.
        Path exported = work.resolve("kfail.img");
        pair.ceph.rbd("export", "rbd/kfail", exported.toString()).ok();
        Sh.Result fsck = Sh.run(120, "e2fsck", "-fn", exported.toString());
        log("host e2fsck -fn of the image (rbd export): exit %d", fsck.exit());
        assertEquals(0, fsck.exit(), "host e2fsck -fn of rbd/kfail:\n" + fsck.out());
        Files.delete(exported);
        assertTrue(b.client("aoe:show " + EXPORT).ok().out().contains("serving"), "the new holder does not serve");
    }

    /**
     * The write frames the driver sent to target {@code mac}, from its debugfs lines (a target is
     * {@code MAC:nout:maxout:nframes} followed by tab-indented {@code ssthresh}, {@code taint},
     * {@code r}, {@code w} and its interfaces); -1 if the driver has no such target.
     */
    private static long writePackets(List<String> debugfs, String mac) {
        for (int i = 0; i < debugfs.size(); i++) {
            if (debugfs.get(i).startsWith(mac + ":")) {
                for (int j = i + 1; j < debugfs.size() && debugfs.get(j).startsWith("\t"); j++) {
                    if (debugfs.get(j).startsWith("\tw:")) {
                        return Long.parseLong(debugfs.get(j).substring(3).trim());
                    }
                }
                throw new AssertionError("no w: line for target " + mac + " in " + debugfs);
            }
        }
        return -1;
    }

    private static String lastLine(Appliance x, String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> lines = x.log().lines().filter(l -> p.matcher(l).find()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).replaceFirst("^.*\\| ", "");
    }

    private static void log(String fmt, Object... args) {
        System.out.println("KernelFailoverIT: " + String.format(fmt, args));
    }
}
