package org.aoede.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;

import org.aoede.api.Extension;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.aoede.api.BlockStore;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving export: answers the AoE commands addressed to it. {@link #handle} runs on the
 * receive threads of the interfaces the export is on, concurrently; it never logs per frame.
 */
final class Export {
    private static final Logger LOG = LoggerFactory.getLogger(Export.class);
    /** No reply, where a reply length is an int (as in the {@link Extension} API); a reply later is an {@link Outcome}. */
    static final int NO_REPLY = Extension.NO_REPLY;

    /** Replaced on live changes; shelf, slot, file and window never change for one Export. */
    volatile ExportSettings settings;
    final String source;
    /**
     * What requests read and write: the base store, or the extensions' wrappers over it (a cache).
     * Replaced while paused: on a live edit of the file, window or open mode, and when the wrapping
     * extensions change ({@link #wrapped}).
     */
    volatile BlockStore store;
    /** The store opened from the configuration, under any wrappers. */
    volatile BlockStore base;
    /** Set by {@link #closeStores()} until {@link #resume}: a store is closed once. */
    private boolean storesClosed;
    /** What the current wrapper chain was built from (extensions, their settings, base); see ExportRegistry. */
    volatile WrapKey wrapKey;
    private final StateFile stateFile;
    volatile byte[] identify;
    private volatile int bufferCount;
    private volatile LiveState live;
    final Object stateLock = new Object();
    final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean paused;
    /** Required extensions (see ExportHandle.require) that are not installed: answer nothing until they are back. */
    private volatile java.util.List<String> waitingFor = java.util.List.of();
    /** Finished its probe and answered on an interface: it holds its address against newcomers. */
    volatile boolean answered;
    /** Failover state when its store is shared and locked (a writable RBD image), else null. */
    volatile Guard guard;
    final Stats stats = new Stats();
    /** The I/O threads for a store that is {@link BlockStore#asynchronous()}; no thread runs until one is. */
    final AsyncIo io;
    /** Hosts seen (MAC → last seen, epoch ms; to within {@link #CLIENT_SEEN_MS}). */
    final Map<Long, Long> clients = new ConcurrentHashMap<>();
    static final long CLIENT_SEEN_MS = 1000;
    /** The host last put into {@link #clients} and when: most requests skip the boxed map update. Racy by design. */
    private long lastClient = -1;
    private long lastClientMillis;
    /**
     * Where the last write ended: a write starting there is part of a sequential stream and may be
     * held for coalescing ({@link WriteBatch#holds}); any other is written at once (holding random writes
     * only costs a copy). A hint, shared racily by the ports' threads.
     */
    long nextWrite = -1;
    /** Per initiator: what it negotiated; survives extension bundles coming and going. Never removed. */
    final Map<Long, Initiator> initiators = new ConcurrentHashMap<>();
    /**
     * The entry of {@link #initiators} last used: with one initiator (the common case) no frame
     * boxes its MAC for a map lookup. Safe to race on: entries are never removed or replaced.
     */
    private volatile Initiator lastInitiator;
    /** The AoE control commands: config, mask, reserve. */
    final ExportControl control = new ExportControl(this);
    /** The ATA command set, with the hand-over to the I/O threads and held writes' commits. */
    final AtaCommands ata = new AtaCommands(this);
    /** The extensions in use and their hooks. */
    final ExtensionChain chain = new ExtensionChain(this);

    Export(ExportSettings settings, String source, BlockStore store, StateFile stateFile, LiveState live) {
        this.settings = settings;
        this.source = source;
        this.store = store;
        this.base = store;
        this.stateFile = stateFile;
        stats.gauges = () -> this.store.statistics();
        this.live = live;
        this.bufferCount = settings.bufferCount();
        this.identify = Identify.build(store.sectors(), settings.model(), settings.serial(),
                String.format("%04x", Identify.FIRMWARE_VERSION));
        this.io = new AsyncIo(this, AsyncIo.THREADS);
        io.watch(stateFile.timer());
    }

    String name() {
        return settings.name();
    }

    int bufferCount() {
        return bufferCount;
    }

    void bufferCount(int n) {
        bufferCount = n;
    }

    LiveState live() {
        return live;
    }

    /** Replaces the live state (operator edit, or from the wire) and saves it (and shares it: {@link Guard}). */
    void live(LiveState s) {
        synchronized (stateLock) {
            live = s;
            stateFile.save(s);
        }
        Guard g = guard;
        if (g != null) {
            g.share(s);                            // for the next holder of a shared image
        }
    }

    StateFile stateFile() {
        return stateFile;
    }

    /**
     * Answers one request addressed to this export (or broadcast). The request's common header
     * must already be checked: AoE, not a response. Writes the reply into {@code reply} from
     * index 0; returns {@code out} (the port's), saying whether there is a reply to send now
     * and its length, a reply that leaves later, or none.
     */
    Outcome handle(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast, Outcome out) {
        LiveState s = live;
        long src = Aoe.src(req);
        if (!s.allowed(src)) {
            stats.drop(Stats.Drop.MASKED);
            port.stats.drop(Stats.Drop.MASKED);
            return out.none();                      // masked-out hosts get no answer at all
        }
        stats.requests.increment();
        port.stats.requests.increment();
        long now = System.currentTimeMillis();
        if (src != lastClient || now - lastClientMillis >= CLIENT_SEEN_MS) {
            clients.put(src, now);
            lastClient = src;
            lastClientMillis = now;
        }
        inFlight.incrementAndGet();
        try {
            if (stopped || paused || !waitingFor.isEmpty()) {
                count(port, Stats.Drop.STOPPED);
                return out.none();                  // the initiator retransmits
            }
            if (Aoe.version(req) != Aoe.VERSION) {
                return broadcast ? out.none() : out.reply(error(port, req, reply, Aoe.ERR_BAD_VERSION));
            }
            Extension[] exts = chain.list();
            Initiator ini = lastInitiator;
            if (ini == null || ini.mac != src) {
                ini = exts.length > 0 ? initiators.computeIfAbsent(src, Initiator::new)
                        : initiators.isEmpty() ? null : initiators.get(src);
                if (ini != null) {
                    lastInitiator = ini;
                }
            }
            if (ini != null && !ini.satisfiedBy(chain.provided())) {
                // The initiator relies on an extension that is not installed right now (say, its
                // CRC): answering without it would be wrong. Silence until it is back.
                count(port, Stats.Drop.STOPPED);
                return out.none();
            }
            switch (Aoe.command(req)) {
                case Aoe.CMD_ATA:
                    if (broadcast) {
                        count(port, Stats.Drop.BROADCAST);
                        return out.none();
                    }
                    return exts.length == 0 ? ata.ata(port, req, reply, s, null, out) : chain.ata(port, req, reply, s, exts, ini, out);
                case Aoe.CMD_CONFIG:
                    return out.reply(control.config(port, req, reply, broadcast));
                case Aoe.CMD_MASK:
                    return out.reply(control.mask(port, req, reply, broadcast));
                case Aoe.CMD_RESERVE:
                    return out.reply(control.reserve(port, req, reply, broadcast));
                default:
                    if (broadcast) {
                        return out.none();
                    }
                    return out.reply(chain.command(port, req, reply, exts, ini));
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** True while extensions are in use: replies are then not built in a link's transmit slot. */
    boolean hasExtensions() {
        return !chain.isEmpty();
    }

    java.util.List<String> waitingFor() {
        return waitingFor;
    }

    void waitingFor(java.util.List<String> names) {
        waitingFor = java.util.List.copyOf(names);
    }

    Set<String> provided() {
        return chain.provided();
    }

    /** Sets the installed extensions this export uses (whiteboard changes, configuration edits). */
    void extensions(Extension[] list) {
        chain.set(list);
    }

    /** Bytes the extensions append after a reply's data. */
    int trailerBytes() {
        return chain.trailerBytes();
    }

    /** Sectors per frame on this port: (MTU − 36 − trailer) / 512, room left for extension trailers. */
    int maxSectors(Port port) {
        int t = chain.trailerBytes();
        return t == 0 ? port.maxSectors() : Ata.maxSectors(port.mtu() - t);
    }

    /** Counts for the export and for the interface the request came in on. */
    void count(Port port, Stats.Error e) {
        stats.error(e);
        port.stats.error(e);
    }

    void count(Port port, Stats.Drop d) {
        stats.drop(d);
        port.stats.drop(d);
    }

    int header(Port port, ByteBuffer req, ByteBuffer reply, int length) {
        reply.put(0, req, 0, length);
        Aoe.toResponse(reply, port.mac());
        // Test-revealed fix: a reply to a broadcast (0xffff/0xff) query echoed the broadcast address;
        // the Linux driver ignores config replies from shelf 0xffff or slot 0xff. Name our own address.
        ExportSettings s = settings;
        Aoe.setShelf(reply, s.shelf());
        Aoe.setSlot(reply, s.slot());
        return length;
    }

    int error(Port port, ByteBuffer req, ByteBuffer reply, int code) {
        switch (code) {
            case Aoe.ERR_BAD_COMMAND -> count(port, Stats.Error.AOE_1);
            case Aoe.ERR_BAD_ARGUMENT -> count(port, Stats.Error.AOE_2);
            case Aoe.ERR_CONFIG_PRESENT -> count(port, Stats.Error.AOE_4);
            case Aoe.ERR_BAD_VERSION -> count(port, Stats.Error.AOE_5);
            case Aoe.ERR_RESERVED -> count(port, Stats.Error.AOE_6);
            default -> { }
        }
        int n = header(port, req, reply, Aoe.HEADER);
        Aoe.toError(reply, code);
        return n;
    }

    /** Stops answering, waits for requests in progress (bounded), closes the store. */
    void stop() {
        stopped = true;
        drain();
        io.shutdown();
        stateFile.close();
        closeStores();
    }

    /** Closes the wrappers (their own resources) and the base store. */
    synchronized void closeStores() {
        if (storesClosed) {
            return;
        }
        storesClosed = true;
        BlockStore s = store;
        BlockStore b = base;
        if (s != b) {
            closeWrapper(s);
        }
        try {
            b.close();
        } catch (IOException e) {
            LOG.warn("export {}: closing {} failed: {}", name(), b.describe(), e.toString());
        }
    }

    private void closeWrapper(BlockStore w) {
        try {
            w.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("export {}: closing {} failed: {}", name(), w.describe(), e.toString());
        }
    }

    /**
     * Serves through a new wrapper chain over the base store (extensions came, went or were
     * reconfigured): requests in progress end first, so no request sees two chains, then the old
     * wrappers are closed. Wrappers hold no acknowledged data of their own (write-through), so
     * dropping one loses nothing.
     */
    void wrapped(BlockStore effective, WrapKey key) {
        BlockStore old = store;
        wrapKey = key;
        if (old == effective) {
            return;
        }
        boolean wasPaused = paused;
        if (!wasPaused) {
            pause();
        }
        store = effective;
        if (!wasPaused) {
            paused = false;
        }
        if (old != base && old != effective) {
            closeWrapper(old);
        }
    }

    private void drain() {
        long deadline = System.currentTimeMillis() + 5000;
        while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Stops answering for a moment (requests get no reply, initiators retransmit) and waits for requests in progress. */
    void pause() {
        paused = true;
        drain();
    }

    /** Answers again after {@link #pause()}, from the same store. */
    void unpause() {
        paused = false;
    }

    /** Answers again, from a new store (and settings) if the edit changed them. */
    synchronized void resume(ExportSettings s, BlockStore newStore) {
        storesClosed = false;
        settings = s;
        base = newStore;
        store = newStore;
        wrapKey = null;                            // the registry wraps the new store again
        identify = Identify.build(newStore.sectors(), s.model(), s.serial(),
                String.format("%04x", Identify.FIRMWARE_VERSION));
        paused = false;
    }

    /** The store's size changed by itself (an image resized elsewhere): IDENTIFY shows the new one. */
    void resized() {
        ExportSettings s = settings;
        identify = Identify.build(store.sectors(), s.model(), s.serial(),
                String.format("%04x", Identify.FIRMWARE_VERSION));
    }

    @Override
    public String toString() {
        return name() + " " + settings.address() + " " + store.describe();
    }
}
