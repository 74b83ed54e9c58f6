package org.aoede.itest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network namespaces and veth pairs made for one test class, with unique names, removed on
 * {@link #close()}. Every AoE program of the tests runs inside these namespaces only.
 */
final class Lan implements AutoCloseable {
    final String prefix;
    private final List<String> namespaces = new ArrayList<>();

    /**
     * Who owns which prefix: a file per prefix holding the test JVM's pid, so scripts/test.sh removes
     * only the namespaces of runs that died, never those of a run still going beside it.
     */
    static final Path OWNERS = Path.of("/run/aoede-itest");

    Lan() {
        this.prefix = "aoet" + Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 36);
        try {
            Files.createDirectories(OWNERS);
            Files.writeString(OWNERS.resolve(prefix), ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot record the owner of " + prefix + " in " + OWNERS, e);
        }
    }

    /** Creates a namespace named PREFIX-suffix with loopback up; returns its name. */
    String namespace(String suffix) {
        String ns = prefix + "-" + suffix;
        Sh.run(10, "ip", "netns", "add", ns).ok();
        namespaces.add(ns);
        Sh.run(10, "ip", "-n", ns, "link", "set", "lo", "up").ok();
        return ns;
    }

    /**
     * A veth pair as a storage NIC is: end {@code a} in namespace {@code nsA}, end {@code b} in
     * {@code nsB}, both up, neither with any address (no IPv4, IPv6 disabled before the link came up).
     */
    void veth(String a, String nsA, String b, String nsB, int mtu) {
        veth(a, nsA, b, nsB, mtu, false);
    }

    /** {@link #veth(String, String, String, String, int)}, or with IPv6 link-local addresses if {@code addresses}. */
    void veth(String a, String nsA, String b, String nsB, int mtu, boolean addresses) {
        // Made inside nsA with the peer placed straight into nsB: the pair never exists in the
        // root namespace, so nothing can bind it there by mistake.
        Sh.run(10, "ip", "-n", nsA, "link", "add", a, "mtu", String.valueOf(mtu), "type", "veth",
                "peer", "name", b, "mtu", String.valueOf(mtu), "netns", nsB).ok();
        if (!addresses) {
            noAddresses(nsA, a);
            noAddresses(nsB, b);
        }
        Sh.run(10, "ip", "-n", nsA, "link", "set", a, "up").ok();
        Sh.run(10, "ip", "-n", nsB, "link", "set", b, "up").ok();
    }

    /**
     * A tap device {@code name} in namespace {@code ns} for the guest of itests/vm (qemu opens it):
     * no address at all, up (it has no carrier until qemu opens it).
     */
    static void tap(String ns, String name, int mtu) {
        Sh.run(10, "ip", "netns", "exec", ns, "ip", "tuntap", "add", name, "mode", "tap").ok();
        setMtu(ns, name, mtu);
        noAddresses(ns, name);
        Sh.run(10, "ip", "-n", ns, "link", "set", name, "up").ok();
    }

    /** Disables IPv6 on an interface (no IPv4 is ever given): it then has no address at all. */
    static void noAddresses(String ns, String ifname) {
        Sh.run(10, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + ifname + ".disable_ipv6=1").ok();
    }

    /** The addresses (IPv4 and IPv6) an interface has, as {@code ip -o addr} lists them: empty for none. */
    static String addresses(String ns, String ifname) {
        return Sh.run(10, "ip", "-n", ns, "-o", "addr", "show", "dev", ifname).ok().out().trim();
    }

    /** Interface names are at most 15 characters: prefix (9) + '-' + up to 5. */
    String ifname(String suffix) {
        return prefix + suffix;
    }

    static void setMtu(String ns, String ifname, int mtu) {
        Sh.run(10, "ip", "-n", ns, "link", "set", ifname, "mtu", String.valueOf(mtu)).ok();
    }

    /** The interface's MTU as the kernel has it. */
    static int mtu(String ns, String ifname) {
        String out = Sh.run(10, "ip", "-n", ns, "-o", "link", "show", ifname).ok().out();
        int i = out.indexOf(" mtu ");
        return Integer.parseInt(out.substring(i + 5).split(" ", 2)[0]);
    }

    static String mac(String ns, String ifname) {
        String out = Sh.run(10, "ip", "-n", ns, "-o", "link", "show", ifname).ok().out();
        int i = out.indexOf("link/ether ");
        return out.substring(i + 11, i + 28);
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            // Deleting a namespace deletes the veth ends inside it, and so both ends of each pair.
            Sh.run(10, "ip", "netns", "pids", ns).out().lines().forEach(pid -> Sh.run(5, "kill", "-9", pid.trim()));
            Sh.run(10, "ip", "netns", "del", ns);
        }
        namespaces.clear();
        try {
            Files.deleteIfExists(OWNERS.resolve(prefix));
        } catch (IOException ignored) {
            // a stale owner file names a dead pid: scripts/test.sh cleans it up
        }
    }
}
