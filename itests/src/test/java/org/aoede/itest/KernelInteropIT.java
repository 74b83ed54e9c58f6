package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Interoperability with the Linux kernel {@code aoe} driver: Debian's kernel boots in qemu (TCG)
 * with a busybox initramfs (itests/vm), the guest's NIC is a tap inside a namespace made by this
 * test, and the appliance answers on that tap. The guest writes and reads back 32 MiB with
 * O_DIRECT, makes an ext4 file system, writes files, verifies them after a remount and runs
 * {@code e2fsck -fn}; the host then checks the image file with {@code e2fsck -fn} too.
 *
 * <p>One appliance serves all runs: MTU 1500, MTU 9000 (the tap's MTU is changed under the
 * running appliance, which re-reads it and re-advertises), then {@code direct = true} at MTU 9000
 * and 1500 (O_DIRECT with read-modify-write of 8.5 KiB and 1 KiB frames; the image lives on a
 * disk file system, never tmpfs). Between runs the tap has no carrier, which the pcap transport
 * treats as down; it answers again within about 3 s of qemu opening the tap, and the guest's
 * /init re-discovers every 2 s. The kernel's aoe lines are printed to the test output.
 *
 * <p>The guest and its system properties: {@link GuestVm}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelInteropIT {
    private static final long SIZE = 256L << 20;
    private static final long SECTORS = SIZE / 512;
    private static final String EXPORT = "kvm";

    private static Lan lan;
    private static Appliance appliance;
    private static String ns;
    private static String tap;
    private static Path work;
    private static Path image;
    private static GuestVm vm;
    private static final List<String> summary = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        vm = GuestVm.prepare();
        lan = new Lan();
        // The image must be on a file system with O_DIRECT (not tmpfs): the build directory,
        // or /var/tmp if that is tmpfs too.
        Path base = vm.vmdir.getParent().resolve("target");
        if (isTmpfs(base)) {
            base = Path.of("/var/tmp");
        }
        work = Files.createDirectories(base.resolve("kernel-interop-" + lan.prefix));
        assertTrue(!isTmpfs(work), work + " is on tmpfs: O_DIRECT would fail");
        image = work.resolve("disk.img");
        Fixture.sparse(image, SIZE);

        ns = lan.namespace("vm");
        tap = lan.ifname("t");
        Lan.tap(ns, tap, 1500);                     // a storage NIC: no address at all

        long t0 = System.nanoTime();
        appliance = new Appliance(work, ns);
        appliance.start();
        log("appliance up in %d s (%s)", secondsSince(t0), appliance.home);
    }

    @AfterAll
    static void tearDown() throws IOException {
        try {
            if (appliance != null) {
                System.out.println("---- appliance log (export/interface lines, warnings, errors) ----");
                appliance.log().lines()
                        .filter(l -> l.contains("export " + EXPORT) || l.contains("interface " + tap)
                                || l.contains("WARN") || l.contains("ERROR"))
                        .forEach(System.out::println);
                appliance.close();
            }
        } finally {
            if (lan != null) {
                lan.close();
            }
            if (image != null) {
                Files.deleteIfExists(image);
            }
            System.out.println("---- KernelInteropIT summary ----");
            summary.forEach(System.out::println);
        }
    }

    @Test
    @Order(1)
    void mtu1500() throws IOException {
        serve(false);
        runVm("mtu1500", 1500, 1024);
    }

    @Test
    @Order(2)
    void mtu9000() throws IOException {
        serve(false);
        // The appliance either notices the new MTU within 2 s and re-advertises, or (if it saw the
        // tap without carrier between runs) reads it when qemu opens the tap: 17 sectors per frame.
        Lan.setMtu(ns, tap, 9000);
        runVm("mtu9000", 9000, 8704);
    }

    @Test
    @Order(3)
    void direct9000() throws IOException {
        Lan.setMtu(ns, tap, 9000);
        serve(true);
        runVm("direct9000", 9000, 8704);
        assertEquals(0, appliance.count("export " + EXPORT + ": .* failed on"),
                "the appliance logged I/O failures in direct mode:\n" + appliance.tail());
    }

    @Test
    @Order(4)
    void direct1500() throws IOException {
        Lan.setMtu(ns, tap, 1500);
        serve(true);
        runVm("direct1500", 1500, 1024);
        assertEquals(0, appliance.count("export " + EXPORT + ": .* failed on"),
                "the appliance logged I/O failures in direct mode:\n" + appliance.tail());
    }

    /**
     * The kernel driver keeps working while the export is changed under it: buffer count and
     * config string (live), a mask list that keeps the guest in it, and a refresh of the target
     * bundle (every export restarts and probes again).
     */
    @Test
    @Order(5)
    void liveChangesUnderTheKernelDriver() throws Exception {
        Lan.setMtu(ns, tap, 1500);
        serve(false);
        String answering = "export " + EXPORT + ": e1\\.0 answering on " + Pattern.quote(tap);
        Path console = work.resolve("console-live1500.log");
        Files.deleteIfExists(console);
        java.util.concurrent.CompletableFuture<Void> guest = java.util.concurrent.CompletableFuture.runAsync(
                () -> runVm("live1500", 1500, 1024));
        // Change things once the guest has found the disk: from then on it is writing and reading.
        GuestVm.awaitConsole(console, "AOEVM DEV OK", Duration.ofSeconds(180), guest);
        String base = "shelf = 1\nslot = 0\ninterfaces = " + tap + "\nfile = " + image + "\n";
        String live = "export " + EXPORT + " \\(.*\\): configuration changed live";
        long changes = appliance.count(live);
        appliance.writeExport(EXPORT, base + "buffer-count = 16\n");
        waitForCount(live, ++changes, Duration.ofSeconds(30));
        appliance.writeExport(EXPORT, base + "buffer-count = 16\nconfig-string = kernel under change\n");
        waitForCount(live, ++changes, Duration.ofSeconds(30));
        appliance.writeExport(EXPORT, base + "buffer-count = 16\nconfig-string = kernel under change\n"
                + "allowed-macs = 52:54:00:a0:e0:01, 02:00:00:00:00:05\n");
        waitForCount(live, ++changes, Duration.ofSeconds(30));
        long answered = appliance.count(answering);
        Sh.Result refresh = appliance.client("bundle:refresh org.aoede.server");
        assertEquals(0, refresh.exit(), refresh.out());
        waitForCount(answering, answered + 1, Duration.ofSeconds(60));
        log("live1500: changed buffer count, config string, mask list and refreshed the target bundle while the guest ran");
        guest.get(10, java.util.concurrent.TimeUnit.MINUTES);
        current = false;                              // the next serve() rewrites the .cfg
    }

    /**
     * The guest writes, makes a file system and checks it while the export is frozen (extension
     * freeze): the image file stays byte-for-byte the same; after the unfreeze and the merge the
     * image on the host is the guest's clean ext4.
     */
    @Test
    @Order(6)
    void frozenUnderTheKernelDriver() throws Exception {
        Lan.setMtu(ns, tap, 1500);
        appliance.writeExport(EXPORT, "shelf = 1\nslot = 0\ninterfaces = " + tap + "\nfile = " + image
                + "\nextensions = freeze\nfreeze.shadow = " + work.resolve("kvm.shadow") + "\n");
        awaitShow("freeze   not frozen");
        Sh.Result f = appliance.client("aoe:freeze " + EXPORT);
        assertTrue(f.exit() == 0 && f.out().contains("FROZEN"), f.out());
        String before = sha256(image);
        runVm("frozen1500", 1500, 1024, false);
        assertEquals(before, sha256(image), "the image changed while frozen");
        assertTrue(Files.size(work.resolve("kvm.shadow")) > 0);
        Sh.Result u = appliance.client("aoe:unfreeze " + EXPORT);
        assertTrue(u.exit() == 0 && u.out().contains("MERGING"), u.out());
        awaitShow("freeze   not frozen");
        assertTrue(!Files.exists(work.resolve("kvm.shadow")), "shadow removed after the merge");
        assertTrue(!before.equals(sha256(image)), "the guest's writes reached the image");
        hostFsck("frozen1500 after the merge");
        log("frozen1500: image unchanged while the guest wrote and checked its file system, clean ext4 after the merge");
        current = false;
    }

    private static void awaitShow(String text) {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            out = appliance.client("aoe:show " + EXPORT).out();
            if (out.contains(text)) {
                return;
            }
            Appliance.sleep(500);
        }
        throw new AssertionError("aoe:show " + EXPORT + " never showed '" + text + "':\n" + out);
    }

    private static String sha256(Path file) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 20];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static long logLines;
    private static boolean current;
    private static boolean currentDirect;

    /**
     * Writes the export's .cfg (if different from what is served) and waits until the appliance
     * has opened the image. It answers on the tap only once qemu has opened it (a tap without
     * carrier is down for the transport), so "answering on" is checked after each VM run.
     */
    private static void serve(boolean direct) throws IOException {
        if (current && currentDirect == direct) {
            return;
        }
        // A first start logs "e1.0 on [tap] from FILE..."; switching direct mode on a running
        // export reopens its store in place and logs "now FILE...".
        String opened = "export " + EXPORT + " \\(.*\\): (e1\\.0 on \\[" + Pattern.quote(tap) + "\\] from |now )";
        long before = appliance.count(opened);
        appliance.writeExport(EXPORT, "shelf = 1\nslot = 0\ninterfaces = " + tap + "\nfile = " + image
                + "\ndirect = " + direct + "\n");
        waitForCount(opened, before + 1, Duration.ofSeconds(30));
        String line = lastMatch(opened + ".*");
        log("%s", line);
        if (direct) {
            assertTrue(line.contains("] direct"), "store does not say direct: " + line);
        }
        current = true;
        currentDirect = direct;
    }

    private void runVm(String label, int mtu, int frameBytes) {
        runVm(label, mtu, frameBytes, true);
    }

    /** {@code hostFsck}: check the image on the host afterwards (not while it is frozen: it is the old one then). */
    private void runVm(String label, int mtu, int frameBytes, boolean hostFsck) {
        Path console = work.resolve("console-" + label + ".log");
        String answering = "export " + EXPORT + ": e1\\.0 answering on " + Pattern.quote(tap);
        String portUp = "interface " + Pattern.quote(tap) + ": up, MAC \\S+, MTU " + mtu + ", "
                + (mtu - 36) / 512 + " sectors per frame";
        GuestVm.Run r = vm.run(ns, tap, console, "--mtu", String.valueOf(mtu), "--dev", "e1.0",
                "--sectors", String.valueOf(SECTORS), "--wait", "60");
        r.print(label);
        List<String> markers = r.markers();
        List<String> kernel = r.kernel();

        String times = r.first("AOEVM RW TIMES").orElse("no RW TIMES");
        String frame = r.first("AOEVM FRAMESIZE").orElse("no FRAMESIZE");
        summary.add(String.format("%-10s run-vm exit %d in %3d s, %s, %s", label, r.exit(), r.seconds(), frame,
                times.replace("AOEVM RW TIMES ", "")));
        kernel.stream().filter(l -> l.contains("aoe:")).forEach(l -> summary.add("           " + l));

        System.out.println("---- " + label + ": appliance ----");
        appliance.log().lines().skip(logLines).filter(l -> l.contains("export " + EXPORT) || l.contains(tap))
                .forEach(l -> System.out.println(l.replaceFirst("^(\\S+) .*\\| ", "$1 ")));
        logLines = appliance.log().lines().count();
        // The appliance's own view: the export answers (after its last (re)start), and the
        // interface's last known MTU gave the sector count the kernel used.
        String started = "export " + EXPORT + " \\(.*\\): e1\\.0 on \\[";
        assertTrue(lastLine(answering) > lastLine(started), label + ": appliance did not log /" + answering + "/");
        assertTrue(lastLine(portUp) >= lastLine("interface " + Pattern.quote(tap) + ": up, "),
                label + ": the appliance's last MTU is not " + mtu + ":\n" + appliance.tail());
        assertEquals(0, r.exit(), label + ": run-vm.sh failed (console " + console + "):\n" + r.out());
        assertTrue(markers.contains("AOEVM SIZE " + SECTORS), label + ": size " + markers);
        assertTrue(markers.contains("AOEVM SIZE OK"), label + ": size");
        assertTrue(markers.contains("AOEVM FRAMESIZE " + frameBytes), label + ": frame size " + frame);
        assertTrue(kernel.stream().anyMatch(l -> l.contains("e1.0: setting " + frameBytes + " byte data frames")),
                label + ": kernel frame size line " + kernel);
        assertTrue(kernel.stream().anyMatch(l -> l.matches(".*e1\\.0 v\\w+ has " + SECTORS + " sectors.*")),
                label + ": kernel size line " + kernel);
        for (String m : List.of("AOEVM RW OK", "AOEVM MKFS OK", "AOEVM FILES OK", "AOEVM FSCK OK 0",
                "AOEVM FAILS 0", "AOEVM DONE")) {
            assertTrue(markers.contains(m), label + ": missing " + m + " in " + markers);
        }
        assertTrue(markers.stream().anyMatch(l -> l.startsWith("AOEVM RW TIMES") && l.contains("size=32MiB")),
                label + ": RW size " + times);

        if (hostFsck) {
            hostFsck(label);
        }
        assertTrue(appliance.isAlive(), label + ": appliance died");
    }

    /** The image on the host, read through the appliance's file: a clean ext4. */
    private static void hostFsck(String label) {
        Sh.Result fsck = Sh.run(120, "e2fsck", "-fn", image.toString());
        summary.add("           host e2fsck -fn: exit " + fsck.exit());
        assertEquals(0, fsck.exit(), label + ": host e2fsck -fn " + image + ":\n" + fsck.out());
    }

    private static void waitForCount(String regex, long n, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (appliance.count(regex) < n) {
            if (!appliance.isAlive()) {
                throw new AssertionError("appliance died waiting for /" + regex + "/:\n" + appliance.tail());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no log line /" + regex + "/ (#" + n + ") within " + timeout + ":\n"
                        + appliance.tail());
            }
            Appliance.sleep(200);
        }
    }

    private static String lastMatch(String regex) {
        Pattern p = Pattern.compile(regex);
        String last = null;
        for (String l : appliance.log().lines().toList()) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                last = m.group();
            }
        }
        return last;
    }

    /** The number of the last log line matching the pattern, -1 if none. */
    private static int lastLine(String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> lines = appliance.log().lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (p.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isTmpfs(Path p) {
        Path q = p.toAbsolutePath();
        while (q != null && !Files.exists(q)) {
            q = q.getParent();
        }
        return q != null && Sh.run(10, "stat", "-f", "-c", "%T", q.toString()).ok().out().trim().equals("tmpfs");
    }

    private static long secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000_000L;
    }

    private static void log(String fmt, Object... args) {
        String s = String.format(fmt, args);
        System.out.println("KernelInteropIT: " + s);
        summary.add(s);
    }
}
