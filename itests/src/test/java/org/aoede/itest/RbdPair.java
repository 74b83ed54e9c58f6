package org.aoede.itest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Two appliances with the same export of one RBD image on one AoE LAN, for failover tests. The LAN
 * is a bridge ({@code br0}) in a namespace of its own ({@link #lns}); each appliance's AoE
 * interface ({@link #ta}, {@link #tb}) is a veth whose other end ({@link #la}, {@link #lb}) is a
 * port of it; no address on any of them. Both appliances and the one-OSD cluster share the other
 * namespace ({@link #tns}: the cluster on its 127.0.0.1, the second appliance's Karaf ports moved).
 * A test attaches its initiator to the bridge ({@link #bridge}), then {@link #serve} starts the
 * cluster and the appliances: {@link #a} holds the image's lock and answers, {@link #b} stands by.
 * {@link #close()} stops it all, also after a failed start.
 */
final class RbdPair implements AutoCloseable {
    final Lan lan = new Lan();
    final String tns;
    final String lns;
    final String ta;
    final String tb;
    final String la;
    final String lb;
    CephCluster ceph;
    Appliance a;
    Appliance b;
    private String export;

    /** The namespaces, the bridge and the appliances' veth pairs (nothing runs yet). */
    RbdPair() {
        try {
            tns = lan.namespace("t");
            lns = lan.namespace("l");
            Sh.run(10, "ip", "-n", lns, "link", "add", "br0", "type", "bridge").ok();
            Lan.noAddresses(lns, "br0");
            Sh.run(10, "ip", "-n", lns, "link", "set", "br0", "up").ok();
            ta = lan.ifname("ta");
            tb = lan.ifname("tb");
            la = lan.ifname("la");
            lb = lan.ifname("lb");
            lan.veth(ta, tns, la, lns, 1500);
            lan.veth(tb, tns, lb, lns, 1500);
            bridge(la);
            bridge(lb);
        } catch (RuntimeException | Error e) {
            lan.close();
            throw e;
        }
    }

    /** Makes interface {@code port} of the LAN's namespace a port of its bridge. */
    void bridge(String port) {
        Sh.run(10, "ip", "-n", lns, "link", "set", port, "master", "br0").ok();
    }

    /**
     * Starts the cluster (files under {@code work}), creates image {@code rbd/IMAGE} of {@code size}
     * (rbd's syntax, e.g. {@code 8M}; the exclusive-lock feature is on by default) and both
     * appliances, and gives both export {@code name} at eSHELF.SLOT on the image with the
     * {@code extra} keys; returns once {@link #a} answers and {@link #b} stands by.
     */
    void serve(Path work, String image, String size, String name, int shelf, int slot, String... extra)
            throws IOException {
        export = name;
        ceph = CephCluster.start(tns, work.resolve("ceph"));
        ceph.rbd("create", "--size", size, "rbd/" + image).ok();
        a = new Appliance(work.resolve("a"), tns);
        a.start();
        b = new Appliance(work.resolve("b"), tns);
        b.shiftPorts(10);
        b.start();
        Path file = Path.of("rbd:rbd/" + image + ":conf=" + ceph.conf);
        a.writeExport(name, Fixture.exportCfg(shelf, slot, ta, file, extra));
        a.waitForLog("export " + name + ": e" + shelf + "\\." + slot + " answering on " + ta, Duration.ofSeconds(90));
        b.writeExport(name, Fixture.exportCfg(shelf, slot, tb, file, extra));
        b.waitForLog(standby(name), Duration.ofSeconds(90));
    }

    /** The log line of a standby of export {@code name}, as a pattern. */
    static String standby(String name) {
        return "export " + name + " \\(.*\\): .* standby, the image's lock is held by";
    }

    /** Stops the appliances (printing their lines about the export, warnings and errors), the cluster, the LAN. */
    @Override
    public void close() {
        try {
            for (Appliance x : new Appliance[] {a, b}) {
                if (x != null && export != null) {
                    System.out.println("---- appliance " + (x == a ? "a" : "b") + ": export " + export
                            + ", warnings, errors ----");
                    List<String> lines = x.log().lines().filter(l -> l.contains("export " + export)
                            || l.contains("WARN") || l.contains("ERROR")).toList();
                    lines.forEach(System.out::println);
                }
                if (x != null) {
                    x.close();
                }
            }
        } finally {
            try {
                if (ceph != null) {
                    ceph.close();
                }
            } finally {
                lan.close();
            }
        }
    }
}
