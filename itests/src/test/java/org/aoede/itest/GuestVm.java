package org.aoede.itest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The Linux guest of itests/vm: Debian's kernel with the {@code aoe} driver and a busybox initramfs
 * in qemu (TCG), booted by {@code run-vm.sh} inside a test's namespace on a tap there. The guest's
 * /init ({@code guest-init.sh}) prints {@code AOEVM ...} markers on the console; {@link Run} holds
 * them.
 *
 * <p>System properties: {@code aoede.vmdir} (itests/vm), {@code aoede.vmcache} (where
 * build-initramfs.sh caches the Debian packages, kernel and initramfs; default
 * /var/tmp/aoede-vm-cache), {@code aoede.vm.timeout} (seconds per VM run, default 240).
 */
final class GuestVm {
    final Path vmdir;
    final Path cache;
    final long timeoutSeconds;

    private GuestVm(Path vmdir, Path cache) {
        this.vmdir = vmdir;
        this.cache = cache;
        this.timeoutSeconds = Long.getLong("aoede.vm.timeout", 240);
    }

    /** Builds the kernel and initramfs (downloads cached, the initramfs rebuilt: guest-init.sh edits count). */
    static GuestVm prepare() throws IOException {
        GuestVm vm = new GuestVm(Path.of(System.getProperty("aoede.vmdir", "vm")).toAbsolutePath(),
                Path.of(System.getProperty("aoede.vmcache", "/var/tmp/aoede-vm-cache")));
        long t0 = System.nanoTime();
        Files.createDirectories(vm.cache);
        Sh.Result build = Sh.run(900, vm.vmdir.resolve("build-initramfs.sh").toString(), vm.cache.toString());
        if (build.exit() != 0) {
            throw new AssertionError("build-initramfs.sh failed:\n" + build.out());
        }
        System.out.printf("GuestVm: initramfs ready in %d s (cache %s)%n", (System.nanoTime() - t0) / 1_000_000_000L,
                vm.cache);
        return vm;
    }

    /**
     * Boots the guest on {@code tap} in namespace {@code ns} and waits for its end (power-off or
     * time-out); {@code args} are more options of run-vm.sh ({@code --mtu}, {@code --dev},
     * {@code --mode}, ...). The console goes to {@code console}.
     */
    Run run(String ns, String tap, Path console, String... args) {
        List<String> cmd = new ArrayList<>(List.of(vmdir.resolve("run-vm.sh").toString(), "--netns", ns, "--tap", tap,
                "--timeout", String.valueOf(timeoutSeconds), "--log", console.toString(), "--outdir", cache.toString()));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Sh.Result r = Sh.run(timeoutSeconds + 60, cmd);
        long secs = (System.nanoTime() - t0) / 1_000_000_000L;
        String out;
        try {
            out = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            out = "";
        }
        return new Run(r.exit(), secs, r.out(), out);
    }

    /** {@link #run} in the background: the test acts on the host meanwhile (see {@link #awaitConsole}). */
    CompletableFuture<Run> start(String ns, String tap, Path console, String... args) {
        return CompletableFuture.supplyAsync(() -> run(ns, tap, console, args));
    }

    /**
     * Waits until the guest printed a console line that starts with {@code marker}; fails if the
     * guest ended first (with its run-vm.sh failure, if that was one) or the time is up.
     */
    static void awaitConsole(Path console, String marker, Duration timeout, Future<?> vm) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!(Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).lines()
                .anyMatch(l -> l.replace("\r", "").startsWith(marker)))) {
            if (vm.isDone()) {
                vm.get(1, TimeUnit.SECONDS);
                throw new AssertionError("the guest ended without printing '" + marker + "'");
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the guest did not print '" + marker + "' within " + timeout);
            }
            Appliance.sleep(100);
        }
    }

    /** One guest run: run-vm.sh's exit status and output, and the console's text. */
    record Run(int exit, long seconds, String out, String console) {
        /** The guest's {@code AOEVM ...} lines, in order. */
        List<String> markers() {
            return console.lines().filter(l -> l.startsWith("AOEVM ")).toList();
        }

        /** The kernel's aoe, etherd and EXT4 lines ({@code AOEVM DMESG ...}, without that prefix). */
        List<String> kernel() {
            return markers().stream().filter(l -> l.startsWith("AOEVM DMESG "))
                    .map(l -> l.substring("AOEVM DMESG ".length())).toList();
        }

        boolean has(String marker) {
            return markers().contains(marker);
        }

        /** The first marker that starts with {@code prefix}. */
        Optional<String> first(String prefix) {
            return markers().stream().filter(l -> l.startsWith(prefix)).findFirst();
        }

        /** The markers that start with {@code prefix}, without it. */
        List<String> all(String prefix) {
            return markers().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
        }

        /** Prints run-vm.sh's output (the markers) and the kernel's lines to the test output. */
        void print(String label) {
            System.out.println("---- " + label + ": run-vm.sh exit " + exit + " after " + seconds + " s ----");
            System.out.print(out);
            System.out.println("---- " + label + ": kernel aoe lines ----");
            kernel().forEach(System.out::println);
        }
    }
}
