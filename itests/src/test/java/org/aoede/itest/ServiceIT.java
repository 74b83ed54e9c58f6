package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running as a service: the distribution's systemd unit passes {@code systemd-analyze verify},
 * and the appliance started the way the unit starts it — a non-root user, only CAP_NET_RAW
 * (ambient and bounding set), no new privileges, {@code bin/karaf server} — serves an export,
 * with the admin credential created on the first start, owned by that user, mode 0600.
 * There is no running systemd here, so {@code setpriv} stands in for the unit's User=,
 * AmbientCapabilities=, CapabilityBoundingSet= and NoNewPrivileges=.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceIT {
    static final String CAP_NET_RAW_MASK = "0000000000002000"; // bit 13

    @TempDir
    static Path work;
    static Lan lan;
    static Appliance appliance;
    static Process process;
    static String user;
    static String tns;
    static String t0;
    static Initiator ini;

    @BeforeAll
    static void setUp() throws IOException {
        lan = new Lan();
        user = lan.prefix + "svc";
        Sh.run(30, "useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", user).ok();
        // the service user must reach the distribution: a temporary folder is 0700 root
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        appliance = new Appliance(work, null);
    }

    @AfterAll
    static void tearDown() {
        if (process != null && process.isAlive()) {
            String pid = Sh.run(10, "pgrep", "-u", user, "-f", "karaf.home=" + appliance.home).out().trim();
            pid.lines().forEach(p -> Sh.run(10, "kill", "-9", p.trim()));
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (lan != null) {
            lan.close();
        }
        if (user != null) {
            Sh.run(30, "userdel", user);
            Sh.run(10, "groupdel", user); // if userdel left the group behind
        }
    }

    static String unit() throws IOException {
        return Files.readString(appliance.home.resolve("systemd/aoede.service"));
    }

    @Test
    @Order(1)
    void unitFilePassesSystemdAnalyzeVerify() throws IOException {
        String unit = unit();
        for (String line : List.of("User=aoede", "ExecStart=/opt/aoede/bin/karaf server", "AmbientCapabilities=CAP_NET_RAW",
                "CapabilityBoundingSet=CAP_NET_RAW", "NoNewPrivileges=yes", "Environment=JAVA_HOME=")) {
            assertTrue(unit.lines().anyMatch(l -> l.startsWith(line)), "unit lacks " + line + ":\n" + unit);
        }
        assertTrue(unit.lines().noneMatch(l -> l.contains("CAP_NET_ADMIN") || l.contains("CAP_SYS_ADMIN")), unit);
        assertTrue(Files.exists(appliance.home.resolve("systemd/README.md")));
        // systemd-analyze verify checks that ExecStart exists: point it at this unpacked copy
        Path dir = Files.createDirectories(work.resolve("unit"));
        Path copy = dir.resolve("aoede.service");
        Files.writeString(copy, unit.replace("/opt/aoede", appliance.home.toString()));
        Sh.Result r = Sh.run(60, "systemd-analyze", "verify", copy.toString());
        assertEquals(0, r.exit(), r.out());
        assertEquals("", r.out().trim(), "systemd-analyze verify warns");
        // and it does read the file: a misspelt key is reported
        Path bad = Files.createDirectories(work.resolve("bad")).resolve("aoede.service");
        Files.writeString(bad, unit.replace("/opt/aoede", appliance.home.toString())
                .replace("NoNewPrivileges=yes", "NoNewPrivilege=yes"));
        Sh.Result rb = Sh.run(60, "systemd-analyze", "verify", bad.toString());
        assertTrue(rb.out().contains("Unknown key"), rb.out());
    }

    @Test
    @Order(2)
    void startsAsAnUnprivilegedUserWithOnlyCapNetRawAndServes() throws Exception {
        tns = lan.namespace("t");
        String ins = lan.namespace("i");
        t0 = lan.ifname("t0");
        lan.veth(t0, tns, lan.ifname("i0"), ins, 1500);
        ini = new Initiator(ins, lan.ifname("i0"));
        Path image = work.resolve("s.img");
        Fixture.sparse(image, 8L * 1024 * 1024);
        Path home = appliance.home;
        assertTrue(Files.notExists(home.resolve("etc/aoede-admin.password")), "a fresh distribution has no credential");
        Sh.run(60, "chown", "-R", user + ":" + user, home.toString(), image.toString()).ok();

        Path out = work.resolve("console.out");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", tns,
                "setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups",
                "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--bounding-set=-all,+net_raw",
                "--no-new-privs", home.resolve("bin/karaf").toString(), "server"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("HOME", "/nonexistent");
        pb.environment().put("USER", user);
        pb.environment().put("LOGNAME", user);
        process = pb.start();
        waitForLog("ExportRegistry .* transport 'pcap' available", Duration.ofSeconds(120), out);

        // the JVM runs as the user, with CAP_NET_RAW only, and cannot gain more
        long pid = Long.parseLong(Sh.run(10, "pgrep", "-u", user, "-f", "karaf.home=" + home).ok().out().trim()
                .lines().findFirst().orElseThrow().trim());
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        String uid = Sh.run(10, "id", "-u", user).ok().out().trim();
        assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\\s+" + uid)), status);
        for (String cap : List.of("CapEff", "CapPrm", "CapAmb", "CapBnd")) {
            assertTrue(status.lines().anyMatch(l -> l.equals(cap + ":\t" + CAP_NET_RAW_MASK)), cap + " in\n" + status);
        }
        assertTrue(status.lines().anyMatch(l -> l.equals("NoNewPrivs:\t1")), status);

        // the first start created the admin credential, for this user only, and said where
        Path pass = home.resolve("etc/aoede-admin.password");
        assertTrue(Files.exists(pass));
        PosixFileAttributes a = Files.readAttributes(pass, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(user, a.owner().getName());
        assertEquals("rw-------", PosixFilePermissions.toString(a.permissions()));
        assertTrue(Files.readString(pass).trim().length() >= 16);
        String console = Files.readString(out);
        assertTrue(console.contains("created the admin credential") && console.contains(pass.toString()), console);
        assertEquals(user, Files.getOwner(home.resolve("etc/users.properties")).getName());
        assertTrue(Files.isDirectory(home.resolve("data/tmp/jna")) || Files.isDirectory(home.resolve("data/tmp")),
                "JNA's folder is inside the distribution");

        // it serves: an export on the veth answers the initiator, reads and writes
        appliance.writeExport("s", "shelf = 4\nslot = 0\ninterfaces = " + t0 + "\nfile = " + image + "\n");
        waitForLog("export s: e4.0 answering on " + t0, Duration.ofSeconds(30), out);
        String id = ini.run("identify", "4.0").ok().out();
        assertEquals(String.valueOf(8L * 1024 * 1024 / 512), Initiator.field(id, "sectors"), id);
        String v = ini.run("verify", "4.0", "--count-frames", "200").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        // the state file the appliance wrote belongs to the user too
        assertNotEquals("root", Files.getOwner(home.resolve("data")).getName());
        System.out.println("ServiceIT: " + user + " pid " + pid + " " + status.lines()
                .filter(l -> l.startsWith("Cap") || l.startsWith("NoNewPrivs") || l.startsWith("Uid")).toList());
    }

    /** As Appliance.waitForLog, with the process of this test. */
    static void waitForLog(String regex, Duration timeout, Path console) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (appliance.count(regex) > 0) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("appliance died waiting for /" + regex + "/:\n" + read(console) + "\n" + appliance.tail());
            }
            Appliance.sleep(200);
        }
        throw new AssertionError("no log line /" + regex + "/ within " + timeout + ":\n" + read(console) + "\n" + appliance.tail());
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
