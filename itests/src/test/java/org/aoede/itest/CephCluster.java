package org.aoede.itest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away Ceph cluster (scripts/ceph-test-cluster.sh: one mon, one mgr, one memstore OSD, pool
 * {@code rbd}) inside a test's namespace, so that the appliance there reaches it on that namespace's
 * 127.0.0.1 and nothing listens anywhere else. {@link #close()} kills its daemons by their pid files.
 */
final class CephCluster implements AutoCloseable {
    final String namespace;
    final Path dir;
    final Path conf;
    final Path keyring;

    private CephCluster(String namespace, Path dir) {
        this.namespace = namespace;
        this.dir = dir;
        this.conf = dir.resolve("ceph.conf");
        this.keyring = dir.resolve("keyring");
    }

    static Path script() {
        return Path.of(System.getProperty("aoede.scripts", "../scripts")).resolve("ceph-test-cluster.sh")
                .toAbsolutePath().normalize();
    }

    /** Starts the cluster in {@code namespace} with its files in {@code dir}; stops it again if the start fails. */
    static CephCluster start(String namespace, Path dir) {
        CephCluster c = new CephCluster(namespace, dir);
        Sh.Result r = Sh.run(180, "ip", "netns", "exec", namespace, script().toString(), "start", dir.toString());
        if (r.exit() != 0) {
            c.close();
            throw new AssertionError("the Ceph test cluster did not start:\n" + r.out());
        }
        return c;
    }

    /** {@code rbd -c CONF ARGS...} in the cluster's namespace. */
    Sh.Result rbd(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "rbd", "-c", conf.toString()));
        cmd.addAll(List.of(args));
        return Sh.run(120, cmd);
    }

    @Override
    public void close() {
        Sh.run(60, script().toString(), "stop", dir.toString());
    }
}
