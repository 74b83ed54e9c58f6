package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.aoede.api.ExportAdmin;
import org.aoede.api.LockingStore;
import org.aoede.api.Transport;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failover of an export on a shared, locked store without a cluster: a fake lock stands for the
 * RBD image's exclusive lock and its blocklist; config replies from another MAC stand for the
 * holder answering on the LAN.
 */
class FailoverTest {
    static final long HOLDER_MAC = 0x02_00_00_00_0c_03L;

    /** The cluster: who holds the lock, and whom it fenced. */
    static final class FakeCluster {
        volatile String owner;
        final Set<String> fenced = ConcurrentHashMap.newKeySet();
        final Map<String, String> metadata = new ConcurrentHashMap<>();
        /** The cluster refuses to lock (unreachable for a moment, say). */
        volatile boolean lockFails;
    }

    /** A store that shares {@link FakeCluster}'s lock under the client name {@code me}. */
    static final class LockedStore extends MemStore implements LockingStore {
        final FakeCluster cluster;
        final String me;
        volatile Runnable fencedListener;

        LockedStore(FakeCluster cluster, String me, boolean readOnly) {
            super(2048, readOnly);
            this.cluster = cluster;
            this.me = me;
        }

        private void alive() throws IOException {
            if (cluster.fenced.contains(me)) {
                throw new IOException("ESHUTDOWN: blocklisted");
            }
        }

        @Override
        public List<String> lockOwners() throws IOException {
            alive();
            String o = cluster.owner;
            return o == null ? List.of() : List.of(o);
        }

        @Override
        public void lock() throws IOException {
            alive();
            if (cluster.lockFails) {
                throw new IOException("ETIMEDOUT: no answer from the cluster");
            }
            synchronized (cluster) {
                if (cluster.owner != null && !cluster.owner.equals(me)) {
                    throw new IOException("EROFS: held by " + cluster.owner);
                }
                cluster.owner = me;
            }
        }

        @Override
        public void breakLock(String owner) throws IOException {
            alive();
            synchronized (cluster) {
                cluster.fenced.add(owner);
                if (owner.equals(cluster.owner)) {
                    cluster.owner = null;
                }
            }
        }

        @Override
        public void unlock() {
            synchronized (cluster) {
                if (me.equals(cluster.owner)) {
                    cluster.owner = null;
                }
            }
        }

        @Override
        public boolean ownsLock() {
            return me.equals(cluster.owner) && !cluster.fenced.contains(me);
        }

        @Override
        public String shared(String key) throws IOException {
            alive();
            return cluster.metadata.get(key);
        }

        @Override
        public void share(String key, String value) throws IOException {
            alive();
            cluster.metadata.put(key, value);
        }

        @Override
        public void onFenced(Runnable listener) {
            fencedListener = listener;
        }

        @Override
        public void close() {
            unlock();
            super.close();
        }
    }

    final FakeCluster cluster = new FakeCluster();
    final ExportRegistry registry = new ExportRegistry();
    final FakeLink link = new FakeLink(0x02_00_00_00_00_01L, 1500);
    int opened;

    FailoverTest() {
        registry.stores = spec -> spec.file().toString().startsWith("rbd:") || spec.file().toString().contains("locked")
                ? new LockedStore(cluster, "client." + (++opened), spec.readOnly()) : new MemStore(2048, false);
        registry.activate();
        registry.addTransport(link.transport(), Map.of(Transport.TYPE, "fake"));
    }

    @AfterEach
    void stop() {
        registry.deactivate();
    }

    ExportComponent component(String file) throws Exception {
        // The registry keeps live state in karaf.data (here the temporary directory): start clean.
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(System.getProperty("karaf.data",
                System.getProperty("java.io.tmpdir")), "aoede", "exports", "disk.state"));
        ExportComponent c = new ExportComponent();
        c.pid = "org.aoede.export~disk";
        c.source = "etc/org.aoede.export-disk.cfg";
        c.name = "disk";
        Map<String, Object> props = new HashMap<>();
        props.put("shelf", "1");
        props.put("slot", "0");
        props.put("interfaces", "fake0");
        props.put("file", file);
        props.put("transport", "fake");
        props.put(ExportSettings.TAKEOVER_AFTER, "2");
        c.settings = ExportSettings.parse("disk", props);
        c.configured = ExportComponent.configured(props);
        return c;
    }

    /** The holder elsewhere answering a config query for e1.0. */
    void holderAnswers() {
        ByteBuffer f = ByteBuffer.allocate(Aoe.MIN_FRAME);
        Aoe.putHeader(f, link.mac, HOLDER_MAC, Aoe.FLAG_RESPONSE, 0, 1, 0, Aoe.CMD_CONFIG, Aoe.TAG_USERLAND | 7);
        Config.putHeader(f, 64, 0, 2, Config.READ, 0);
        Aoe.finish(f, Config.HEADER);
        Port p = registry.portList().get(0);
        p.onFrame(link, f);
    }

    /** The holder elsewhere answers every query until {@code ok} (the probe's second included). */
    void holderAnswersUntil(BooleanSupplier ok, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 3000;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not within 3000 ms: " + what);
            }
            holderAnswers();
            Thread.sleep(50);
        }
    }

    static void await(BooleanSupplier ok, long ms, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not within " + ms + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    boolean advertised() {
        for (ByteBuffer f : link.sent) {
            if (Aoe.command(f) == Aoe.CMD_CONFIG && Aoe.isResponse(f) && Aoe.tag(f) == 0
                    && Aoe.dst(f) == Mac.BROADCAST) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aFreeImageIsLockedAndServed() throws Exception {
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        await(() -> c.status().equals("serving"), 5000, "serving, was " + c.status());
        assertEquals("client.1", cluster.owner);
    }

    @Test
    void aStandbyWaitsWhileTheHolderAnswersAndTakesOverWhenItFallsSilent() throws Exception {
        cluster.owner = "client.elsewhere";
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        assertEquals("standby: image held by client.elsewhere", c.status());
        long end = System.currentTimeMillis() + 4000;         // twice the takeover time, holder answering
        while (System.currentTimeMillis() < end) {
            holderAnswers();
            Thread.sleep(100);
        }
        assertEquals("standby: image held by client.elsewhere", c.status());
        assertFalse(advertised(), "a standby advertised itself");
        assertTrue(link.sent.stream().anyMatch(f -> Aoe.command(f) == Aoe.CMD_CONFIG && !Aoe.isResponse(f)),
                "the standby asked for the holder on the LAN");

        long silent = System.currentTimeMillis();               // the holder dies
        await(() -> c.status().equals("serving"), 6000, "takeover, was " + c.status());
        long took = System.currentTimeMillis() - silent;
        assertTrue(took >= 1500, "took over after " + took + " ms, before the holder's silence reached 2 s");
        assertTrue(cluster.fenced.contains("client.elsewhere"), "the old holder was not fenced");
        assertEquals("client.1", cluster.owner);
        assertTrue(advertised(), "the new holder did not advertise itself");
    }

    @Test
    void aStandbyTakesAFreedLockAtOnce() throws Exception {
        cluster.owner = "client.elsewhere";
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        holderAnswers();
        cluster.owner = null;                                   // the holder handed over
        await(() -> c.status().equals("serving"), 2500, "takeover, was " + c.status());
        assertTrue(cluster.fenced.isEmpty(), "nobody needed fencing");
    }

    @Test
    void aFencedHolderStopsAnsweringAndStandsBy() throws Exception {
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        await(() -> c.status().equals("serving"), 5000, "serving");
        Export e = c.running;
        Port p = registry.portList().get(0);
        synchronized (cluster) {                                // another appliance breaks the lock
            cluster.fenced.add("client.1");
            cluster.owner = "client.elsewhere";
        }
        await(() -> !p.isActive(e), 2500, "stops answering");
        await(() -> c.status().equals("standby: image held by client.elsewhere"), 3000,
                "a standby again, was " + c.status());
        assertTrue(c.running != e, "reopened with a fresh client");
    }

    @Test
    void handoverReleasesTheLockAndStaysStandby() throws Exception {
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        await(() -> c.status().equals("serving"), 5000, "serving");
        AdminService admin = new AdminService();
        admin.registry = registry;
        admin.handover("disk");
        assertTrue(c.status().startsWith("standby: handed over"), c.status());
        assertEquals(null, cluster.owner);
        Thread.sleep(1200);                                     // nobody takes it: not back before 2 s
        assertTrue(c.status().startsWith("standby"), c.status());
        await(() -> c.status().equals("serving"), 4000, "takes it back, was " + c.status());
        ExportAdmin.Refused r = assertThrows(ExportAdmin.Refused.class, () -> admin.handover("nosuch"));
        assertEquals("no export 'nosuch'", r.getMessage());
    }

    @Test
    void theNewHolderServesTheLiveStateTheImageKeeps() throws Exception {
        cluster.owner = "client.elsewhere";
        cluster.metadata.put(Guard.CONFIG, "1:" + java.util.HexFormat.of().formatHex("hello".getBytes()));
        cluster.metadata.put(Guard.MASK, "1:" + Mac.format(Harness.HOST));
        cluster.metadata.put(Guard.RESERVATION, "1:");
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        cluster.owner = null;
        await(() -> c.status().equals("serving"), 2500, "takeover, was " + c.status());
        LiveState live = c.running.live();
        assertEquals("hello", new String(live.configString()));
        assertArrayEquals(new long[] {Harness.HOST}, live.mask());
        assertTrue(link.sent.stream().anyMatch(f -> Aoe.command(f) == Aoe.CMD_CONFIG && Aoe.tag(f) == 0
                && Aoe.dst(f) == Harness.HOST), "advertised to the mask list's host");

        AdminService admin = new AdminService();
        admin.registry = registry;
        admin.reserve("disk", List.of(Mac.format(Harness.OTHER)));
        await(() -> ("1:" + Mac.format(Harness.OTHER)).equals(cluster.metadata.get(Guard.RESERVATION)), 2000,
                "the reservation kept with the image");
    }

    @Test
    void theFirstHolderPutsItsLiveStateWithTheImage() throws Exception {
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        await(() -> c.status().equals("serving"), 5000, "serving");
        await(() -> "1:".equals(cluster.metadata.get(Guard.MASK)), 2000, "the live state kept with the image");
    }

    @Test
    void anotherExportAtTheAddressIsStillRefused() throws Exception {
        ExportComponent c = component("/srv/plain.img");
        registry.put(c);
        holderAnswersUntil(() -> c.status().startsWith("refused: e1.0 is already answered by"), "refused");
    }

    @Test
    void aHolderThatFindsAnotherAnsweringIsRefused() throws Exception {
        ExportComponent c = component("rbd:rbd/disk");
        registry.put(c);
        // It holds the lock, yet e1.0 answers elsewhere: not of this image.
        holderAnswersUntil(() -> c.status().startsWith("refused: e1.0 is already answered by"), "refused");
        assertEquals(null, cluster.owner, "the refused export kept the lock");
    }

    /** A read-only export of a locking store behind a plain path (no rbd: in sight), serving. */
    ExportComponent servingReadOnly() throws Exception {
        ExportComponent c = component("/srv/locked.img");
        c.settings = ExportSettings.parse("disk", withReadOnly(c, true));
        registry.put(c);
        await(() -> c.status().equals("serving"), 5000, "serving read-only, was " + c.status());
        return c;
    }

    static Map<String, Object> withReadOnly(ExportComponent c, boolean readOnly) {
        Map<String, Object> props = new HashMap<>(c.configured);
        props.put("read-only", String.valueOf(readOnly));
        return props;
    }

    /** The operator's edit: read-only = false. */
    void makeWritable(ExportComponent c) throws Exception {
        ExportSettings old = c.settings;
        c.settings = ExportSettings.parse("disk", withReadOnly(c, false));
        registry.reopen(c, old);
    }

    @Test
    void aLockingStoreMadeWritableTakesTheLockWhateverItsFileLooksLike() throws Exception {
        ExportComponent c = servingReadOnly();
        assertEquals(null, cluster.owner, "a read-only export took the lock");
        makeWritable(c);
        await(() -> c.status().equals("serving"), 5000, "serving writable, was " + c.status());
        assertTrue(c.running.guard != null, "writable without a guard");
        assertEquals(((LockedStore) c.running.base).me, cluster.owner, "made writable without taking the lock");
    }

    @Test
    void aLockThatCannotBeTakenLeavesTheReadOnlyExportServing() throws Exception {
        ExportComponent c = servingReadOnly();
        Export e = c.running;
        cluster.lockFails = true;
        makeWritable(c);
        assertTrue(c.status().startsWith("serving (last edit refused: "), "the edit stopped a disk that served: " + c.status());
        assertTrue(c.running == e && e.base.readOnly(), "not the read-only export any more");
        assertTrue(c.settings.readOnly(), "the refused settings kept");
        assertTrue(c.editRefused() != null && c.editRefused().contains("ETIMEDOUT"), "edit refused: " + c.editRefused());
        assertEquals(null, cluster.owner);
    }
}
