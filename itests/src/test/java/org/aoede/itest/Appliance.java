package org.aoede.itest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** The built Karaf assembly, unpacked into a temporary folder and run as a process inside a namespace. */
final class Appliance implements AutoCloseable {
    final Path home;
    final String namespace;
    private Process process;

    Appliance(Path workDir, String namespace) throws IOException {
        this.namespace = namespace;
        Path zip = Path.of(System.getProperty("aoede.assembly", "../karaf-assembly/target/aoede-karaf.zip"));
        if (!Files.exists(zip)) {
            Path alt = zip.resolveSibling("aoede-karaf-0.1.0-SNAPSHOT.zip");
            zip = Files.exists(alt) ? alt : zip;
        }
        Path root = workDir.resolve("appliance");
        unzip(zip, root);
        try (var dirs = Files.list(root)) {
            home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        try (var bins = Files.list(home.resolve("bin"))) {
            for (Path p : (Iterable<Path>) bins::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    private static void unzip(Path zip, Path dest) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> en = z.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                Path out = dest.resolve(e.getName()).normalize();
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = z.getInputStream(e)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    /**
     * Moves Karaf's listening ports (SSH 8101, HTTP 8181, RMI 1099 and 44444) up by {@code offset}:
     * a second appliance in the same namespace (bin/client reads the SSH port from the same file).
     */
    void shiftPorts(int offset) throws IOException {
        shift("org.apache.karaf.shell.cfg", "sshPort", offset);
        shift("org.ops4j.pax.web.cfg", "org.osgi.service.http.port", offset);
        shift("org.apache.karaf.management.cfg", "rmiRegistryPort", offset);
        shift("org.apache.karaf.management.cfg", "rmiServerPort", offset);
    }

    private void shift(String file, String key, int offset) throws IOException {
        Path f = etc(file);
        Pattern p = Pattern.compile("(?m)^(" + Pattern.quote(key) + "\\s*=\\s*)(\\d+)\\s*$");
        String text = Files.readString(f);
        var m = p.matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + key + " in " + f);
        }
        int port = Integer.parseInt(m.group(2)) + offset;
        Files.writeString(f, text.substring(0, m.start()) + m.group(1) + port + text.substring(m.end()));
    }

    void start() throws IOException {
        Path out = home.resolve("data/console.out");
        Files.createDirectories(out.getParent());
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", namespace, home.resolve("bin/karaf").toString(), "server")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        process = pb.start();
        waitForLog("ExportRegistry .* transport 'afpacket' available", Duration.ofSeconds(120));     // the default
        waitForLog("ExportRegistry .* transport 'pcap' available", Duration.ofSeconds(60));
    }

    /**
     * Runs one command in a real Karaf shell session as admin: {@code bin/client -b} inside the
     * namespace, the command on stdin (bin/client fails on a closed stdin otherwise).
     * Terminal colour codes are stripped from the output.
     */
    Sh.Result client(String command) {
        String pass;
        try {
            pass = Files.readString(etc("aoede-admin.password")).trim();
        } catch (IOException e) {
            throw new AssertionError("no admin credential yet: " + e);
        }
        Sh.Result r = Sh.run(60, command + "\n", java.util.List.of("ip", "netns", "exec", namespace,
                home.resolve("bin/client").toString(), "-u", "admin", "-p", pass, "-b"));
        return new Sh.Result(r.exit(), r.out().replaceAll("\u001B\\[[;?0-9]*[A-Za-z]", ""));
    }

    /**
     * The jar the build made of {@code bundles/MODULE} (e.g. {@code crc}), as an absolute path: a
     * bundle from outside the running distribution, for {@code bundle:install}.
     */
    static Path bundleJar(String module) {
        Path dir = Path.of(System.getProperty("aoede.bundles", "../bundles")).resolve(module).resolve("target")
                .toAbsolutePath().normalize();
        Pattern name = Pattern.compile("aoede-" + Pattern.quote(module) + "-\\d[^/]*(?<!-sources|-tests|-javadoc)\\.jar");
        try (var files = Files.list(dir)) {
            return files.filter(p -> name.matcher(p.getFileName().toString()).matches()).findFirst()
                    .orElseThrow(() -> new AssertionError("no built jar of " + module + " in " + dir + " (mvn install first)"));
        } catch (IOException e) {
            throw new AssertionError("no built jar of " + module + " in " + dir + ": " + e, e);
        }
    }

    /**
     * The line of {@code bundle:list -t 0 -s} (symbolic names; {@code -l}: locations) that ends with
     * {@code text}, or "" when no bundle has it.
     */
    String bundleLine(String text, boolean locations) {
        String out = client("bundle:list -t 0 " + (locations ? "-l" : "-s")).ok().out();
        return out.lines().filter(l -> l.stripTrailing().endsWith(text)).findFirst().orElse("");
    }

    /** {@code bundle:uninstall}: the bundle leaves the running framework (more than a stop: its classes go too). */
    void uninstallBundle(String symbolicName) {
        Sh.Result r = client("bundle:uninstall " + symbolicName);
        String left = bundleLine("| " + symbolicName, false);
        if (r.exit() != 0 || !left.isEmpty()) {
            throw new AssertionError("bundle:uninstall " + symbolicName + " failed: " + r.out() + "\n" + left);
        }
    }

    /**
     * {@code bundle:install -s file:JAR} of the jar the build made of {@code bundles/MODULE}, i.e. a
     * bundle that is not in the running distribution; returns its {@code bundle:list -l} line.
     */
    String installBundle(String module) {
        String location = "file:" + bundleJar(module);
        Sh.Result r = client("bundle:install -s " + location);
        String line = bundleLine(location, true);
        if (r.exit() != 0 || !line.contains("Active")) {
            throw new AssertionError("bundle:install -s " + location + " failed: " + r.out() + "\n" + line);
        }
        return line;
    }

    /** {@code aoe:show NAME}; a failing command fails the test. */
    String show(String export) {
        Sh.Result r = client("aoe:show " + export);
        if (r.exit() != 0) {
            throw new AssertionError("aoe:show " + export + " failed: " + r.out());
        }
        return r.out();
    }

    /**
     * Polls {@code aoe:show NAME} (up to 90 s) until it shows the export and contains (or no longer
     * contains) {@code text}; returns that output, or fails the test with the last one.
     */
    String awaitShow(String export, String text, boolean present) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String out = "";
        while (System.nanoTime() < end) {
            out = client("aoe:show " + export).out();
            if (out.contains("Export " + export) && out.contains(text) == present) {
                return out;
            }
            sleep(300);
        }
        throw new AssertionError("aoe:show " + export + (present ? " never showed " : " kept showing ") + text + ":\n"
                + out + "\n" + tail());
    }

    Path etc(String file) {
        return home.resolve("etc").resolve(file);
    }

    /** Writes etc/org.aoede.export-NAME.cfg atomically (FileInstall ignores the temporary name). */
    Path writeExport(String name, String content) throws IOException {
        Path cfg = etc("org.aoede.export-" + name + ".cfg");
        Path tmp = etc("org.aoede.export-" + name + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, cfg, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return cfg;
    }

    void deleteExport(String name) throws IOException {
        Files.deleteIfExists(etc("org.aoede.export-" + name + ".cfg"));
    }

    /** The log lines around its first stack trace (for a failure message), or "" if there is none. */
    String firstStackTrace() {
        List<String> lines = log().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("\tat ")) {
                return String.join("\n", lines.subList(Math.max(0, i - 6), Math.min(lines.size(), i + 6)));
            }
        }
        return "";
    }

    String log() {
        try {
            Path log = home.resolve("data/log/karaf.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the log matches the pattern (searching from its start); returns the matching line. */
    String waitForLog(String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex);
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String log = log();
            var m = p.matcher(log);
            if (m.find()) {
                int s = log.lastIndexOf('\n', m.start()) + 1;
                int e = log.indexOf('\n', m.end());
                return log.substring(s, e < 0 ? log.length() : e);
            }
            if (process != null && !process.isAlive()) {
                throw new AssertionError("appliance died waiting for /" + regex + "/:\n" + tail());
            }
            sleep(200);
        }
        throw new AssertionError("no log line /" + regex + "/ within " + timeout + ":\n" + tail());
    }

    /** Waits until the log holds more than {@code before} lines matching the pattern (a new one since then). */
    void waitForMore(String regex, long before, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (count(regex) <= before) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no new /" + regex + "/ within " + timeout + ":\n" + tail());
            }
            sleep(100);
        }
    }

    /** Counts log lines matching the pattern. */
    long count(String regex) {
        Pattern p = Pattern.compile(regex);
        return log().lines().filter(l -> p.matcher(l).find()).count();
    }

    String tail() {
        String[] lines = log().split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, lines.length - 40); i < lines.length; i++) {
            sb.append(lines[i]).append('\n');
        }
        return sb.toString();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The appliance JVM's pid (the child of `ip netns exec`, which execs karaf's java). */
    long javaPid() {
        // The server's main class too: a bin/client JVM running at that moment has karaf.home=HOME as
        // well, and killing it instead left the appliance running (FreezeIT: port 1099 in use on restart).
        String out = Sh.run(10, "pgrep", "-f", "karaf.home=" + home + " .*org.apache.karaf.main.Main").out().trim();
        return Long.parseLong(out.lines().findFirst().orElseThrow(() -> new AssertionError("no karaf java process")).trim());
    }

    void kill9() {
        Sh.run(10, "kill", "-9", String.valueOf(javaPid()));
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            Sh.run(10, "pkill", "-9", "-f", "karaf.home=" + home);
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
