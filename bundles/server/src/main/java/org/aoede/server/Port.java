package org.aoede.server;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

import org.aoede.api.BlockStore;
import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network interface of the appliance and the exports on it. Dispatches received frames
 * to the exports they address; before an export answers here, probes the LAN for another
 * target with the same shelf.slot.
 */
final class Port implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Port.class);

    final String name;
    final String transport;
    private final ExportRegistry registry;
    private volatile Link link;
    private volatile long mac;
    private volatile int maxSectors;
    private volatile int mtu;
    /** The extension context of the request being handled on this port's receive thread. */
    final Call call = new Call(this);
    /** Exports that want this port, whether or not they answer here yet. */
    private final Set<Export> attached = new LinkedHashSet<>();
    /**
     * The exports answering on this port, by shelf << 8 | slot: as a map for the control plane, a
     * table with primitive keys for the receive thread's unicast lookups (no boxing per frame) and
     * an array for broadcasts. One immutable snapshot behind one volatile field, replaced whole
     * under the port's lock: the receive thread never sees the three views disagree.
     */
    private record Dispatch(Map<Integer, Export> active, AddressTable<Export> table, Export[] list) {
        static final Dispatch EMPTY = new Dispatch(Map.of(), AddressTable.empty(), new Export[0]);

        static Dispatch of(Map<Integer, Export> m) {
            return new Dispatch(Map.copyOf(m), new AddressTable<>(m), m.values().toArray(new Export[0]));
        }
    }

    private volatile Dispatch dispatch = Dispatch.EMPTY;
    private final Map<Integer, Probe> probes = new ConcurrentHashMap<>();
    /** Reply buffer of the receive thread (one per port). */
    private final ByteBuffer reply = ByteBuffer.allocate(65536 + 64);
    /** What handling the current request came to (receive thread only; reused, nothing allocated per frame). */
    private final Outcome outcome = new Outcome();
    /** Writes held for coalescing until the receive batch ends (receive thread only). */
    final WriteBatch batch = new WriteBatch(this);
    /** Stores given batched requests in this receive batch: told when it ends (receive thread only). */
    private BlockStore[] submittedTo = new BlockStore[4];
    private int submittedCount;
    /**
     * The reply buffer for an extension's own command (should its extension have come while the
     * reply was already being built in a transmit slot): it may send frames of its own.
     */
    ByteBuffer extensionReply() {
        reply.clear();
        return reply;
    }

    ByteBuffer reply() {
        return reply;
    }

    /** Requests of all exports on this interface. */
    final Stats stats = new Stats();
    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder sendFailures = new LongAdder();
    final LongAdder ignored = new LongAdder();

    /** Foreign config replies seen for an address while probing it. */
    static final class Probe {
        final int tag = Aoe.TAG_USERLAND | ThreadLocalRandom.current().nextInt();
        volatile long foreign;
    }

    Port(String name, String transport, ExportRegistry registry) {
        this.name = name;
        this.transport = transport;
        this.registry = registry;
    }

    void link(Link l) {
        this.link = l;
    }

    Link link() {
        return link;
    }

    long mac() {
        return mac;
    }

    int maxSectors() {
        return maxSectors;
    }

    int mtu() {
        return mtu;
    }

    boolean isUp() {
        Link l = link;
        return l != null && l.isUp();
    }

    @Override
    public void onFrame(Link l, ByteBuffer f) {
        framesIn.increment();
        // Test-revealed fix: a frame shorter than the common header threw IndexOutOfBounds on the
        // receive thread, and frames of another EtherType were served; drop both silently.
        if (!Aoe.isAoe(f)) {
            return;
        }
        if (Aoe.isResponse(f)) {
            noticeResponse(f);                      // never answered: two targets would answer each other
            return;
        }
        int shelf = Aoe.shelf(f);
        int slot = Aoe.slot(f);
        if (Aoe.isBroadcastAddress(shelf, slot)) {
            for (Export e : dispatch.list()) {
                if (Aoe.addressedTo(shelf, slot, e.settings.shelf(), e.settings.slot())) {
                    serve(l, e, f, true);
                }
            }
        } else {
            Export e = dispatch.table().get(shelf << 8 | slot);
            if (e != null) {
                serve(l, e, f, false);
            } else {
                ignored.increment();
            }
        }
    }

    private void serve(Link l, Export e, ByteBuffer f, boolean broadcast) {
        batch.before(e, f);                         // the held writes first, unless f joins them
        long start = System.nanoTime();
        // Built in the link's transmit slot when it has one: sent without a copy. Not for exports
        // with extensions: a hook may send frames of its own (a coalesced read) while the reply is
        // being built, and those take the link's next transmit slot.
        ByteBuffer r = e.hasExtensions() ? null : l.replyBuffer();
        if (r == null) {
            r = reply;
            r.clear();
        }
        Outcome o = e.handle(this, f, r, broadcast, outcome);
        if (o.kind == Outcome.Kind.REPLY) {
            send(l, e, r, o.length, start);
        }                                           // LATER: sent by whoever completes it (WriteBatch, AsyncIo)
    }

    /** True if held writes are committed when the batch ends (the link says when it does). */
    boolean batching() {
        Link l = link;
        return l != null && l.batches();
    }

    /**
     * A request of this receive batch went to {@code store} with {@link org.aoede.api.IoRequest#batched()}:
     * the store hears {@link BlockStore#submitBatchEnd()} when the batch ends. Receive thread only.
     */
    void submittedInBatch(BlockStore store) {
        for (int i = 0; i < submittedCount; i++) {
            if (submittedTo[i] == store) {
                return;
            }
        }
        if (submittedCount == submittedTo.length) {
            submittedTo = java.util.Arrays.copyOf(submittedTo, submittedCount * 2);
        }
        submittedTo[submittedCount++] = store;
    }

    @Override
    public void endOfBatch(Link l) {
        try {
            if (!batch.isEmpty()) {
                batch.commit();
            }
        } finally {
            startSubmitted();
        }
    }

    /** Tells the stores given batched requests in this batch that it ended: they start them now. */
    private void startSubmitted() {
        int n = submittedCount;
        if (n > 0) {
            submittedCount = 0;
            for (int i = 0; i < n; i++) {
                BlockStore s = submittedTo[i];
                submittedTo[i] = null;
                try {
                    s.submitBatchEnd();
                } catch (RuntimeException e) {
                    LOG.error("interface {}: {} failed at the end of a batch", name, s.describe(), e);
                }
            }
        }
    }

    /** Sends a reply of {@code n} bytes (none if negative) and counts it. */
    void send(Link l, Export e, ByteBuffer r, int n, long start) {
        if (n >= 0) {
            Aoe.finish(r, n);
            if (l.send(r)) {
                framesOut.increment();
            } else {
                sendFailures.increment();
            }
            long took = System.nanoTime() - start;
            e.stats.latencyNanos(took);
            stats.latencyNanos(took);
        }
    }

    private void noticeResponse(ByteBuffer f) {
        if (probes.isEmpty() || Aoe.command(f) != Aoe.CMD_CONFIG) {
            return;
        }
        Probe p = probes.get(Aoe.shelf(f) << 8 | Aoe.slot(f));
        long from = Aoe.src(f);
        if (p != null && !registry.isOwnMac(from)) {
            p.foreign = from;
        }
    }

    @Override
    public void linkUp(Link l) {
        // Separate volatile writes, not one atomic change: a frame handled meanwhile may see the new
        // MTU with the old sector count or the reverse. Harmless: this runs when the interface
        // changed, frames sized for the old MTU no longer pass it, and initiators learn the new
        // count only from the advertisement portUp sends after these writes.
        link = l;
        mac = l.mac();
        mtu = l.mtu();
        maxSectors = Ata.maxSectors(l.mtu());
        LOG.info("interface {}: up, MAC {}, MTU {}, {} sectors per frame", name, Mac.format(mac), l.mtu(), maxSectors);
        registry.portUp(this);
    }

    @Override
    public void linkWaiting(Link l, String problem) {
        registry.portDown(this);
    }

    @Override
    public void linkDown(Link l, String reason) {
        LOG.warn("interface {}: down ({}); its exports wait for it", name, reason);
        synchronized (this) {
            dispatch = Dispatch.EMPTY;
        }
        registry.portDown(this);
    }

    // ---- control plane (ExportRegistry's lock) ----

    synchronized void attach(Export e) {
        attached.add(e);
    }

    synchronized boolean detach(Export e) {
        attached.remove(e);
        deactivate(e);
        return attached.isEmpty();
    }

    synchronized Set<Export> attached() {
        return new LinkedHashSet<>(attached);
    }

    synchronized boolean isActive(Export e) {
        return dispatch.active().get(e.settings.addressKey()) == e;
    }

    synchronized void activate(Export e) {
        if (!attached.contains(e)) {
            return;
        }
        Map<Integer, Export> m = new HashMap<>(dispatch.active());
        m.put(e.settings.addressKey(), e);
        dispatch = Dispatch.of(m);
    }

    synchronized void deactivate(Export e) {
        if (dispatch.active().get(e.settings.addressKey()) == e) {
            Map<Integer, Export> m = new HashMap<>(dispatch.active());
            m.remove(e.settings.addressKey());
            dispatch = Dispatch.of(m);
        }
    }

    /** Sends a config query for the export's address; replies from other MACs land in the probe. */
    Probe startProbe(Export e) {
        Probe p = new Probe();
        probes.put(e.settings.addressKey(), p);
        ByteBuffer f = ByteBuffer.allocate(Aoe.MIN_FRAME);
        Aoe.putHeader(f, Mac.BROADCAST, mac, 0, 0, e.settings.shelf(), e.settings.slot(), Aoe.CMD_CONFIG, p.tag);
        Config.putHeader(f, 0, 0, 0, Config.READ, 0);
        Aoe.finish(f, Config.HEADER);
        Link l = link;
        if (l != null) {
            l.send(f);
        }
        return p;
    }

    long endProbe(Export e) {
        Probe p = probes.remove(e.settings.addressKey());
        return p == null ? 0 : p.foreign;
    }

    /** Advertises the export: broadcast, or unicast to each MAC of a non-empty mask list. */
    void advertise(Export e) {
        Link l = link;
        if (l == null || !l.isUp()) {
            return;
        }
        long[] mask = e.live().mask();
        long[] targets = mask.length == 0 ? new long[] {Mac.BROADCAST} : mask;
        ByteBuffer f = ByteBuffer.allocate(Config.STRING + Config.MAX_STRING + Aoe.MIN_FRAME);
        for (long dst : targets) {
            int n = e.control.advertisement(this, f, dst);
            Aoe.finish(f, n);
            l.send(f);
            f.clear();
        }
    }

    java.util.List<String> activeNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Export e : dispatch.list()) {
            names.add(e.name());
        }
        return names;
    }

    void close() {
        Link l = link;
        if (l != null) {
            l.close();
        }
    }

    @Override
    public String toString() {
        return transport + ":" + name;
    }
}
