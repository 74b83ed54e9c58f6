package org.aoede.target;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

import org.aoede.api.Extension;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.aoede.api.BlockStore;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Reserve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving export: answers the AoE commands addressed to it. {@link #handle} runs on the
 * receive threads of the interfaces the export is on, concurrently; it never logs per frame.
 */
final class Export {
    private static final Logger LOG = LoggerFactory.getLogger(Export.class);
    static final int NO_REPLY = -1;
    /** A write held for coalescing: the port acknowledges it when its run is written ({@link WriteBatch}). */
    static final int DEFERRED = -3;
    /** Handed to the I/O threads ({@link AsyncIo}): the reply leaves from there when the store call returns. */
    static final int QUEUED = -4;

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
    /** What the current wrapper chain was built from (extensions, their settings, base); see Target. */
    volatile WrapKey wrapKey;
    private final StateFile stateFile;
    private volatile byte[] identify;
    private volatile int bufferCount;
    private volatile LiveState live;
    private final Object stateLock = new Object();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean paused;
    /** Required extensions (see ExportAdmin.require) that are not installed: answer nothing until they are back. */
    private volatile java.util.List<String> waitingFor = java.util.List.of();
    /** Finished its probe and answered on an interface: it holds its address against newcomers. */
    volatile boolean answered;
    private final AtomicLong lastIoErrorLog = new AtomicLong();
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
     * held for coalescing ({@link #holds}); any other is written at once (holding random writes
     * only costs a copy). A hint, shared racily by the ports' threads.
     */
    long nextWrite = -1;
    /** The extensions this export uses now, in configured order (installed ones only). */
    private volatile Extension[] extensions = new Extension[0];
    private volatile Set<String> provided = Set.of();
    private volatile int trailer;
    /** Per initiator: what it negotiated; survives extension bundles coming and going. Never removed. */
    final Map<Long, Initiator> initiators = new ConcurrentHashMap<>();
    /**
     * The entry of {@link #initiators} last used: with one initiator (the common case) no frame
     * boxes its MAC for a map lookup. Safe to race on: entries are never removed or replaced.
     */
    private volatile Initiator lastInitiator;

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

    /** Replaces the live state (operator edit) and saves it. */
    void live(LiveState s) {
        synchronized (stateLock) {
            live = s;
            stateFile.save(s);
        }
    }

    StateFile stateFile() {
        return stateFile;
    }

    /**
     * Answers one request addressed to this export (or broadcast). The request's common header
     * must already be checked: AoE, not a response. Writes the reply into {@code reply} from
     * index 0 and returns its length, or {@link #NO_REPLY}.
     */
    int handle(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast) {
        LiveState s = live;
        long src = Aoe.src(req);
        if (!s.allowed(src)) {
            stats.drop(Stats.Drop.MASKED);
            port.stats.drop(Stats.Drop.MASKED);
            return NO_REPLY;                        // masked-out hosts get no answer at all
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
                return NO_REPLY;                    // the initiator retransmits
            }
            if (Aoe.version(req) != Aoe.VERSION) {
                return broadcast ? NO_REPLY : error(port, req, reply, Aoe.ERR_BAD_VERSION);
            }
            Extension[] exts = extensions;
            Initiator ini = lastInitiator;
            if (ini == null || ini.mac != src) {
                ini = exts.length > 0 ? initiators.computeIfAbsent(src, Initiator::new)
                        : initiators.isEmpty() ? null : initiators.get(src);
                if (ini != null) {
                    lastInitiator = ini;
                }
            }
            if (ini != null && !ini.satisfiedBy(provided)) {
                // The initiator relies on an extension that is not installed right now (say, its
                // CRC): answering without it would be wrong. Silence until it is back.
                count(port, Stats.Drop.STOPPED);
                return NO_REPLY;
            }
            switch (Aoe.command(req)) {
                case Aoe.CMD_ATA:
                    if (broadcast) {
                        count(port, Stats.Drop.BROADCAST);
                        return NO_REPLY;
                    }
                    return exts.length == 0 ? ata(port, req, reply, s, true, null) : ataExtended(port, req, reply, s, exts, ini);
                case Aoe.CMD_CONFIG:
                    return config(port, req, reply, broadcast);
                case Aoe.CMD_MASK:
                    return mask(port, req, reply, broadcast);
                case Aoe.CMD_RESERVE:
                    return reserve(port, req, reply, broadcast);
                default:
                    if (broadcast) {
                        return NO_REPLY;
                    }
                    int cmd = Aoe.command(req);
                    for (Extension x : exts) {
                        if (x.handles(cmd)) {
                            ByteBuffer own = reply == port.reply() ? reply : port.extensionReply();
                            int n = x.handle(port.call.set(this, ini), req, own);
                            if (n >= 0 && own != reply) {
                                reply.put(0, own, 0, n);
                            }
                            return n;
                        }
                    }
                    return error(port, req, reply, Aoe.ERR_BAD_COMMAND);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * ATA through the extensions: each may answer first, then each sees the reply (in reverse order).
     * A reply an extension makes itself passes the reply hooks of the ones listed before it, as the
     * export's own reply does: a tag tracker's replay then gets a CRC listed before it too (tested).
     */
    private int ataExtended(Port port, ByteBuffer req, ByteBuffer reply, LiveState s, Extension[] exts, Initiator ini) {
        Call call = port.call.set(this, ini);
        for (int i = 0; i < exts.length; i++) {
            int r = exts[i].beforeAta(call, req, reply);
            if (r != Extension.PASS) {
                return replyHooks(exts, i, call, req, reply, r);
            }
        }
        int n = ata(port, req, reply, s, true, ini);
        if (n == QUEUED) {
            return n;                               // the reply hooks run when the store call is done
        }
        if (n == DEFERRED) {
            // the reply hooks see the acknowledgement when it is sent, after the data was written
            port.batch.last().initiator = ini;
            return n;
        }
        return replyHooks(exts, exts.length, call, req, reply, n);
    }

    /** The reply hooks of exts[0..before), last first, while there is a reply ({@code n >= 0}). */
    private static int replyHooks(Extension[] exts, int before, Call call, ByteBuffer req, ByteBuffer reply, int n) {
        for (int i = before - 1; i >= 0 && n >= 0; i--) {
            n = exts[i].afterAta(call, req, reply, n);
        }
        return n;
    }

    /**
     * ATA for an extension (e.g. one entry of a coalesced read): the normal handling and the reply
     * hooks. A write goes down at once, never held for coalescing: the extension gets its reply
     * now, not the internal {@link #DEFERRED}.
     */
    int ataDirect(Port port, ByteBuffer req, ByteBuffer reply) {
        int n = ata(port, req, reply, live, false, null);
        // the reply hooks still apply (a coalesced read's replies get their CRC like any read)
        Extension[] exts = extensions;
        return replyHooks(exts, exts.length, port.call, req, reply, n);
    }

    /** True while extensions are in use: replies are then not built in a link's transmit slot. */
    boolean hasExtensions() {
        return extensions.length > 0;
    }

    java.util.List<String> waitingFor() {
        return waitingFor;
    }

    void waitingFor(java.util.List<String> names) {
        waitingFor = java.util.List.copyOf(names);
    }

    Set<String> provided() {
        return provided;
    }

    /** Sets the installed extensions this export uses (whiteboard changes, configuration edits). */
    void extensions(Extension[] list) {
        Set<String> names = new HashSet<>();
        int t = 0;
        for (Extension x : list) {
            names.addAll(x.provides());
            t += x.trailerBytes();
        }
        provided = Set.copyOf(names);
        trailer = t;
        extensions = list.clone();
    }

    /** Bytes the extensions append after a reply's data. */
    int trailerBytes() {
        return trailer;
    }

    /** Sectors per frame on this port: (MTU − 36 − trailer) / 512, room left for extension trailers. */
    int maxSectors(Port port) {
        int t = trailer;
        return t == 0 ? port.maxSectors() : Ata.maxSectors(port.mtu() - t);
    }

    /** Counts for the export and for the interface the request came in on. */
    private void count(Port port, Stats.Error e) {
        stats.error(e);
        port.stats.error(e);
    }

    private void count(Port port, Stats.Drop d) {
        stats.drop(d);
        port.stats.drop(d);
    }

    private int header(Port port, ByteBuffer req, ByteBuffer reply, int length) {
        reply.put(0, req, 0, length);
        Aoe.toResponse(reply, port.mac());
        // Test-revealed fix: a reply to a broadcast (0xffff/0xff) query echoed the broadcast address;
        // the Linux driver ignores config replies from shelf 0xffff or slot 0xff. Name our own address.
        ExportSettings s = settings;
        Aoe.setShelf(reply, s.shelf());
        Aoe.setSlot(reply, s.slot());
        return length;
    }

    private int error(Port port, ByteBuffer req, ByteBuffer reply, int code) {
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

    // ---- ATA ----------------------------------------------------------------------------

    /**
     * {@code mayHold}: the reply may come later: a write continuing a stream may be held for the
     * batch's gathering write ({@link #DEFERRED}), and an asynchronous store's calls go to the I/O
     * threads ({@link #QUEUED}; their reply hooks then run there, for {@code ini} if not null).
     * An extension's own request ({@link #ataDirect}) gets its reply at once.
     */
    private int ata(Port port, ByteBuffer req, ByteBuffer reply, LiveState s, boolean mayHold, Initiator ini) {
        int len = req.limit();
        if (len < Ata.HEADER) {
            count(port, Stats.Drop.SHORT);
            return NO_REPLY;                        // too short for its header
        }
        int cmd = Ata.command(req);
        if (cmd != Ata.CMD_IDENTIFY && !s.mayUse(Aoe.src(req))) {
            return error(port, req, reply, Aoe.ERR_RESERVED);
        }
        int count = Ata.sectorCount(req);
        switch (cmd) {
            case Ata.CMD_READ, Ata.CMD_READ_EXT, Ata.CMD_WRITE, Ata.CMD_WRITE_EXT -> {
                boolean write = cmd == Ata.CMD_WRITE || cmd == Ata.CMD_WRITE_EXT;
                if (count > maxSectors(port)) {
                    return error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
                }
                if (write && Ata.dataLength(len) < count * Ata.SECTOR) {
                    return error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
                }
                header(port, req, reply, Ata.HEADER);
                if (stats.seen(Aoe.src(req), cmd, Ata.rawLba(req), count)) {
                    port.stats.duplicates.increment();
                }
                if (count == 0) {
                    return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
                }
                long lba = Ata.lba(req);
                if (lba + count > store.sectors()) {
                    count(port, Stats.Error.ATA_IDNF);
                    return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_IDNF, Ata.HEADER);
                }
                if (mayHold && store.asynchronous()) {
                    if (write && store.readOnly()) {
                        count(port, Stats.Error.ATA_ABRT);
                        return writeFailed(reply);
                    }
                    return submit(port, req, write ? AsyncIo.WRITE : AsyncIo.READ, lba, count, ini);
                }
                return write ? write(port, req, reply, lba, count, mayHold) : read(port, reply, lba, count);
            }
            case Ata.CMD_IDENTIFY -> {
                header(port, req, reply, Ata.HEADER);
                reply.put(Ata.DATA, identify);
                Ata.setSectorCount(reply, 1);
                return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.DATA + identify.length);
            }
            case Ata.CMD_CHECK_POWER_MODE -> {
                header(port, req, reply, Ata.HEADER);
                Ata.setSectorCount(reply, 0xff);    // active or idle
                return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
            }
            case Ata.CMD_FLUSH, Ata.CMD_FLUSH_EXT -> {
                if (mayHold && store.asynchronous()) {
                    return submit(port, req, AsyncIo.FLUSH, 0, 0, ini);   // after the writes received before it
                }
                header(port, req, reply, Ata.HEADER);
                try {
                    store.flush();
                    return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
                } catch (IOException e) {
                    ioError(port, "flush", e);
                    return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_ABRT, Ata.HEADER);
                }
            }
            default -> {
                header(port, req, reply, Ata.HEADER);
                count(port, Stats.Error.ATA_ABRT);
                return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_ABRT, Ata.HEADER);
            }
        }
    }

    private static int ataStatus(ByteBuffer reply, int status, int error, int length) {
        Ata.setStatus(reply, status);
        Ata.setErrorReg(reply, error);
        return length;
    }

    private int read(Port port, ByteBuffer reply, long lba, int count) {
        int bytes = count * Ata.SECTOR;
        ByteBuffer dst = reply.duplicate().limit(Ata.DATA + bytes).position(Ata.DATA);
        try {
            store.read(lba, dst);
            stats.reads.increment();
            stats.bytesRead.add(bytes);
            port.stats.reads.increment();
            port.stats.bytesRead.add(bytes);
            return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.DATA + bytes);
        } catch (IOException e) {
            ioError(port, "read", e);
            return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_UNC, Ata.HEADER);
        }
    }

    private int write(Port port, ByteBuffer req, ByteBuffer reply, long lba, int count, boolean mayHold) {
        if (store.readOnly()) {
            count(port, Stats.Error.ATA_ABRT);
            return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_ABRT, Ata.HEADER);
        }
        BlockStore st = store;
        boolean hold = mayHold && holds(lba, count) && port.batching();
        nextWrite = lba + count;
        if (hold) {
            if (port.batch.isFull()) {
                port.batch.commit(port);
            }
            port.batch.stage(this, st, req, reply, lba, count);
            inFlight.incrementAndGet();             // in progress until acknowledged: a pause waits for it
            return DEFERRED;
        }
        if (!port.batch.isEmpty()) {
            port.batch.commit(port);                // (Port.serve did, unless another port moved nextWrite)
        }
        ByteBuffer src = req.duplicate().limit(Ata.DATA + count * Ata.SECTOR).position(Ata.DATA);
        try {
            store.write(lba, src);                  // in the page cache (or on disk with sync) on return
            return written(port, reply, count);
        } catch (IOException e) {
            ioError(port, "write", e);
            return writeFailed(reply);
        }
    }

    /**
     * True if a write of {@code count} sectors at {@code lba} is held for coalescing on a batching
     * link: it continues this export's last write and the store coalesces writes of that size.
     * The port asks first, to commit what it holds before a write that will not join it.
     */
    boolean holds(long lba, int count) {
        // an asynchronous store's writes go to the I/O threads one by one, never held
        return lba == nextWrite && count <= store.coalesceWritesUpTo() && !store.asynchronous();
    }

    /** Counts a write that reached the store and makes its acknowledgement. */
    private int written(Port port, ByteBuffer reply, int count) {
        long bytes = (long) count * Ata.SECTOR;
        stats.writes.increment();
        stats.bytesWritten.add(bytes);
        port.stats.writes.increment();
        port.stats.bytesWritten.add(bytes);
        return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
    }

    private static int writeFailed(ByteBuffer reply) {
        return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_ABRT, Ata.HEADER);
    }

    /**
     * Writes the held writes s[from..to) (contiguous, one store) with one gathering write, then
     * acknowledges each (or answers each with the ATA error if it failed), running the reply hooks
     * now. A held write counts as a request in progress from the moment it was held, so a pause or
     * stop waits for the batch to end and never swaps or closes the store under it. Only if that
     * wait timed out and the store was replaced meanwhile are they dropped unacknowledged (the
     * initiator retransmits them).
     */
    void commitWrites(Port port, WriteBatch.Staged[] s, int from, int to) {
        try {
            BlockStore st = s[from].store;
            if (store != st) {
                for (int i = from; i < to; i++) {
                    count(port, Stats.Drop.STOPPED);
                }
                return;
            }
            boolean ok;
            try {
                st.write(s[from].lba, WriteBatch.buffers(s, from, to));
                ok = true;
            } catch (IOException e) {
                ioError(port, "write", e);
                ok = false;
            }
            Extension[] exts = extensions;
            org.aoede.api.Link l = port.link();
            ByteBuffer r = port.batch.ack;
            for (int i = from; i < to; i++) {
                WriteBatch.Staged w = s[i];
                r.clear();
                r.put(0, w.reply);
                int n = ok ? written(port, r, w.count) : writeFailed(r);
                if (w.initiator != null && exts.length > 0) {
                    // the hooks see the request's headers (its data is written by now)
                    n = replyHooks(exts, exts.length, port.call.set(this, w.initiator), ByteBuffer.wrap(w.request), r, n);
                }
                if (l != null) {
                    port.send(l, this, r, n, w.start);
                }
            }
        } finally {
            inFlight.addAndGet(from - to);          // the held writes are done
        }
    }

    // ---- asynchronous stores (AsyncIo) ----------------------------------------------------

    /**
     * Copies a checked read, write or flush into a request slot for the I/O threads. It counts as in
     * progress until its reply was sent. With every slot taken (more requests than the initiators
     * were told they may send) it is dropped: the initiator retransmits.
     */
    private int submit(Port port, ByteBuffer req, int kind, long lba, int count, Initiator ini) {
        AsyncIo.Request r = io.acquire(bufferCount);
        if (r == null) {
            count(port, Stats.Drop.BUSY);
            return NO_REPLY;
        }
        int len = req.limit();
        r.ensure(len, Math.max(len, Ata.DATA + count * Ata.SECTOR) + trailer + 64);
        r.request.put(0, req, 0, len).limit(len);
        header(port, req, r.reply, Ata.HEADER);
        r.kind = kind;
        r.lba = lba;
        r.count = count;
        r.port = port;
        r.store = store;
        r.initiator = ini;
        r.start = System.nanoTime();
        inFlight.incrementAndGet();
        io.submit(r);
        return QUEUED;
    }

    /** On an I/O thread: the store call of r, then its reply, unless the time-out answered it already. */
    void complete(AsyncIo.Request r) {
        BlockStore st = r.store;
        if (st != store) {
            // the store was replaced after a pause that gave up waiting: never write to the old one
            if (r.answered.compareAndSet(false, true)) {
                dropped(r);
            }
            return;
        }
        int bytes = r.count * Ata.SECTOR;
        Exception failure = null;
        try {
            switch (r.kind) {
                case AsyncIo.READ -> st.read(r.lba, r.replyData.clear().limit(Ata.DATA + bytes).position(Ata.DATA));
                case AsyncIo.WRITE -> st.write(r.lba, r.requestData.clear().limit(Ata.DATA + bytes).position(Ata.DATA));
                default -> st.flush();
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        if (!r.answered.compareAndSet(false, true)) {
            return;                                 // too late: the time-out sent an error reply
        }
        ByteBuffer reply = r.reply;
        reply.clear();
        int n;
        if (failure != null) {
            ioError(r.port, r.kind == AsyncIo.READ ? "read" : r.kind == AsyncIo.WRITE ? "write" : "flush",
                    failure instanceof IOException ioe ? ioe : new IOException(failure));
            n = ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR,
                    r.kind == AsyncIo.READ ? Ata.ERROR_UNC : Ata.ERROR_ABRT, Ata.HEADER);
        } else if (r.kind == AsyncIo.READ) {
            stats.reads.increment();
            stats.bytesRead.add(bytes);
            r.port.stats.reads.increment();
            r.port.stats.bytesRead.add(bytes);
            n = ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.DATA + bytes);
        } else if (r.kind == AsyncIo.WRITE) {
            n = written(r.port, reply, r.count);
        } else {
            n = ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
        }
        answer(r, reply, n, r.call);
    }

    /** On the watchdog: r was not done within the time-out; answers it with an ATA error in {@code buf}. */
    void timedOut(AsyncIo.Request r, ByteBuffer buf, Call call) {
        count(r.port, Stats.Error.TIMEOUT);
        buf.clear();
        buf.put(0, r.reply, 0, Ata.HEADER);        // its reply header, made at submission
        int n = ataStatus(buf, Ata.STATUS_DRDY | Ata.STATUS_ERR,
                r.kind == AsyncIo.READ ? Ata.ERROR_UNC : Ata.ERROR_ABRT, Ata.HEADER);
        answer(r, buf, n, call);
    }

    /** A request that gets no reply after all (the export stopped): no longer in progress. */
    void dropped(AsyncIo.Request r) {
        count(r.port, Stats.Drop.STOPPED);
        inFlight.decrementAndGet();
    }

    /** Runs the reply hooks (the extensions in use now, as for held writes) and sends the reply. */
    private void answer(AsyncIo.Request r, ByteBuffer reply, int n, Call call) {
        try {
            Extension[] exts = extensions;
            if (r.initiator != null && exts.length > 0) {
                n = replyHooks(exts, exts.length, call.set(r.port, this, r.initiator), r.request, reply, n);
            }
            org.aoede.api.Link l = r.port.link();
            if (l != null) {
                r.port.send(l, this, reply, n, r.start);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void ioError(Port port, String what, IOException e) {
        count(port, Stats.Error.IO);
        long now = System.currentTimeMillis();
        long last = lastIoErrorLog.get();
        if (now - last > 10_000 && lastIoErrorLog.compareAndSet(last, now)) {
            LOG.warn("export {}: {} failed on {}: {} (further errors within 10 s not logged)",
                    name(), what, store.describe(), e.toString());
        }
    }

    // ---- Query config -----------------------------------------------------------------

    private int config(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast) {
        if (req.limit() < Config.HEADER) {
            return NO_REPLY;
        }
        int sub = Config.subcommand(req);
        boolean modifies = sub == Config.SET || sub == Config.FORCE_SET;
        if (broadcast && modifies) {
            return NO_REPLY;                        // never change every export at once
        }
        if (!Config.stringFits(req)) {
            return broadcast ? NO_REPLY : error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        byte[] current = live.configString();
        switch (sub) {
            case Config.READ:
                break;
            case Config.TEST_EXACT:
                if (!Arrays.equals(current, Config.string(req))) {
                    return NO_REPLY;
                }
                break;
            case Config.TEST_PREFIX:
                if (!startsWith(current, Config.string(req))) {
                    return NO_REPLY;
                }
                break;
            case Config.SET:
            case Config.FORCE_SET:
                byte[] wanted = Config.string(req);
                synchronized (stateLock) {
                    current = live.configString();
                    if (sub == Config.SET && current.length > 0 && !Arrays.equals(current, wanted)) {
                        return error(port, req, reply, Aoe.ERR_CONFIG_PRESENT);
                    }
                    live = live.withConfig(wanted);
                    stateFile.save(live);
                    current = wanted;
                    Initiator setter = initiators.get(Aoe.src(req));
                    if (setter != null) {
                        setter.reset();             // a config set resets the setter's own extensions
                    }
                }
                break;
            default:
                return broadcast ? NO_REPLY : error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        header(port, req, reply, Aoe.HEADER);
        return Config.put(reply, bufferCount, Identify.FIRMWARE_VERSION, maxSectors(port), sub, current);
    }

    private static boolean startsWith(byte[] s, byte[] prefix) {
        return prefix.length <= s.length && Arrays.equals(s, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A config reply with tag 0, unsolicited, as sent when the export starts or its parameters change. */
    int advertisement(Port port, ByteBuffer f, long dst) {
        Aoe.putHeader(f, dst, port.mac(), Aoe.FLAG_RESPONSE, 0, settings.shelf(), settings.slot(), Aoe.CMD_CONFIG, 0);
        return Config.put(f, bufferCount, Identify.FIRMWARE_VERSION, maxSectors(port), Config.READ,
                live.configString());
    }

    // ---- MAC mask list ----------------------------------------------------------------

    private int mask(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast) {
        if (req.limit() < MacMask.HEADER) {
            return NO_REPLY;
        }
        int sub = MacMask.subcommand(req);
        if (sub == MacMask.READ) {
            header(port, req, reply, Aoe.HEADER);
            return MacMask.putList(reply, sub, live.mask());
        }
        if (broadcast) {
            return NO_REPLY;
        }
        if (sub != MacMask.EDIT || !MacMask.directivesFit(req)) {
            return error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        synchronized (stateLock) {
            long[] list = live.mask();
            int n = MacMask.directiveCount(req);
            int failure = 0;
            int failedAt = 0;
            for (int i = 0; i < n && failure == 0; i++) {
                long mac = MacMask.directiveMac(req, i);
                switch (MacMask.directiveCommand(req, i)) {
                    case MacMask.DIR_NOP -> { }
                    case MacMask.DIR_ADD -> {
                        if (!LiveState.contains(list, mac)) {
                            if (list.length >= ExportSettings.MAX_MACS) {
                                failure = MacMask.ERR_FULL;
                                failedAt = i;
                            } else {
                                list = Arrays.copyOf(list, list.length + 1);
                                list[list.length - 1] = mac;
                            }
                        }
                    }
                    case MacMask.DIR_DELETE -> list = Arrays.stream(list).filter(m -> m != mac).toArray();
                    default -> {
                        failure = MacMask.ERR_BAD_DIRECTIVE;
                        failedAt = i;
                    }
                }
            }
            // Directives before a failing one stay applied, as in vblade.
            live = live.withMask(list);
            stateFile.save(live);
            header(port, req, reply, Aoe.HEADER);
            if (failure != 0) {
                MacMask.putHeader(reply, sub, failure, failedAt);
                return MacMask.HEADER;
            }
            return MacMask.putList(reply, sub, list);
        }
    }

    // ---- Reserve / release ------------------------------------------------------------

    private int reserve(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast) {
        if (req.limit() < Reserve.HEADER) {
            return NO_REPLY;
        }
        int sub = Reserve.subcommand(req);
        if (sub == Reserve.READ) {
            header(port, req, reply, Aoe.HEADER);
            return Reserve.put(reply, sub, live.reservation());
        }
        if (broadcast) {
            return NO_REPLY;
        }
        if ((sub != Reserve.SET && sub != Reserve.FORCE_SET) || !Reserve.macsFit(req)
                || Reserve.count(req) > ExportSettings.MAX_MACS) {
            return error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        synchronized (stateLock) {
            long[] current = live.reservation();
            if (sub == Reserve.SET && current.length > 0 && !LiveState.contains(current, Aoe.src(req))) {
                return error(port, req, reply, Aoe.ERR_RESERVED);
            }
            long[] wanted = new long[Reserve.count(req)];
            for (int i = 0; i < wanted.length; i++) {
                wanted[i] = Reserve.mac(req, i);
            }
            wanted = Arrays.stream(wanted).distinct().toArray();
            live = live.withReservation(wanted);
            stateFile.save(live);
            header(port, req, reply, Aoe.HEADER);
            return Reserve.put(reply, sub, wanted);
        }
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
    void closeStores() {
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

    /** Answers again, from a new store (and settings) if the edit changed them. */
    void resume(ExportSettings s, BlockStore newStore) {
        settings = s;
        base = newStore;
        store = newStore;
        wrapKey = null;                            // the target wraps the new store again
        identify = Identify.build(newStore.sectors(), s.model(), s.serial(),
                String.format("%04x", Identify.FIRMWARE_VERSION));
        paused = false;
    }

    @Override
    public String toString() {
        return name() + " " + settings.address() + " " + store.describe();
    }
}
