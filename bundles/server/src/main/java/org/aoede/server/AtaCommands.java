package org.aoede.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import org.aoede.api.BlockStore;
import org.aoede.api.Extension;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ATA command set of one export: reads, writes (held for coalescing or written at once),
 * flush, identify; for an asynchronous or submitting store, the hand-over to {@link AsyncIo} and
 * the replies made at completion. Runs on the ports' receive threads, the I/O threads and a
 * submitting store's completion threads.
 */
final class AtaCommands {
    private static final Logger LOG = LoggerFactory.getLogger(Export.class);   // the log category it always had
    private static final int NO_REPLY = Export.NO_REPLY;

    private final Export export;
    private final AtomicLong lastIoErrorLog = new AtomicLong();

    AtaCommands(Export export) {
        this.export = export;
    }

    /**
     * A request from the wire (a port's receive thread): its reply may come later ({@link Outcome#later}):
     * a write continuing a stream may be held for the batch's gathering write, and an asynchronous
     * store's calls go to the I/O threads. The reply hooks of such a reply run when it is made, for
     * {@code ini} if not null. {@code out} is the port's, filled and returned.
     */
    Outcome ata(Port port, ByteBuffer req, ByteBuffer reply, LiveState s, Initiator ini, Outcome out) {
        out.none();
        int n = run(port, req, reply, s, out, ini);
        return out.isLater() ? out : out.reply(n);
    }

    /**
     * An extension's own request ({@link ExtensionChain#ataDirect}): handled at once, a write never
     * held; the reply's length or {@link Export#NO_REPLY}, nothing else.
     */
    int now(Port port, ByteBuffer req, ByteBuffer reply, LiveState s) {
        return run(port, req, reply, s, null, null);
    }

    /**
     * {@code later}: null if the reply must be made now; else the reply may come later, and if it
     * does, {@code later} is marked so ({@link Outcome#later}) and no reply is returned for now.
     */
    private int run(Port port, ByteBuffer req, ByteBuffer reply, LiveState s, Outcome later, Initiator ini) {
        int len = req.limit();
        if (len < Ata.HEADER) {
            export.count(port, Stats.Drop.SHORT);
            return NO_REPLY;                        // too short for its header
        }
        int cmd = Ata.command(req);
        if (cmd != Ata.CMD_IDENTIFY && !s.mayUse(Aoe.src(req))) {
            return export.error(port, req, reply, Aoe.ERR_RESERVED);
        }
        int count = Ata.sectorCount(req);
        switch (cmd) {
            case Ata.CMD_READ, Ata.CMD_READ_EXT, Ata.CMD_WRITE, Ata.CMD_WRITE_EXT -> {
                boolean write = cmd == Ata.CMD_WRITE || cmd == Ata.CMD_WRITE_EXT;
                if (count > export.maxSectors(port)) {
                    return export.error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
                }
                if (write && Ata.dataLength(len) < count * Ata.SECTOR) {
                    return export.error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
                }
                export.header(port, req, reply, Ata.HEADER);
                if (export.stats.seen(Aoe.src(req), cmd, Ata.rawLba(req), count)) {
                    port.stats.duplicates.increment();
                }
                if (count == 0) {
                    return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
                }
                long lba = Ata.lba(req);
                if (lba + count > export.store.sectors()) {
                    export.count(port, Stats.Error.ATA_IDNF);
                    return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_IDNF, Ata.HEADER);
                }
                if (later != null && (export.store.asynchronous() || export.store.submits())) {
                    if (write && export.store.readOnly()) {
                        export.count(port, Stats.Error.ATA_ABRT);
                        return writeFailed(reply);
                    }
                    return submit(port, req, write ? AsyncIo.WRITE : AsyncIo.READ, lba, count, ini, later);
                }
                return write ? write(port, req, reply, lba, count, later, ini) : read(port, reply, lba, count);
            }
            case Ata.CMD_IDENTIFY -> {
                export.header(port, req, reply, Ata.HEADER);
                reply.put(Ata.DATA, export.identify);
                Ata.setSectorCount(reply, 1);
                return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.DATA + export.identify.length);
            }
            case Ata.CMD_CHECK_POWER_MODE -> {
                export.header(port, req, reply, Ata.HEADER);
                Ata.setSectorCount(reply, 0xff);    // active or idle
                return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
            }
            case Ata.CMD_FLUSH, Ata.CMD_FLUSH_EXT -> {
                if (later != null && (export.store.asynchronous() || export.store.submits())) {
                    return submit(port, req, AsyncIo.FLUSH, 0, 0, ini, later);   // after the writes received before it
                }
                export.header(port, req, reply, Ata.HEADER);
                try {
                    export.store.flush();
                    return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
                } catch (IOException e) {
                    ioError(port, "flush", e);
                    return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_ABRT, Ata.HEADER);
                }
            }
            default -> {
                export.header(port, req, reply, Ata.HEADER);
                export.count(port, Stats.Error.ATA_ABRT);
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
            export.store.read(lba, dst);
            export.stats.reads.increment();
            export.stats.bytesRead.add(bytes);
            port.stats.reads.increment();
            port.stats.bytesRead.add(bytes);
            return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.DATA + bytes);
        } catch (IOException e) {
            ioError(port, "read", e);
            return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_UNC, Ata.HEADER);
        }
    }

    private int write(Port port, ByteBuffer req, ByteBuffer reply, long lba, int count, Outcome later, Initiator ini) {
        if (export.store.readOnly()) {
            export.count(port, Stats.Error.ATA_ABRT);
            return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_ABRT, Ata.HEADER);
        }
        if (port.batch.offer(export, export.store, req, reply, lba, count, later != null, ini)) {
            later.later();                          // acknowledged when its run is written
            return NO_REPLY;
        }
        ByteBuffer src = req.duplicate().limit(Ata.DATA + count * Ata.SECTOR).position(Ata.DATA);
        try {
            export.store.write(lba, src);           // in the page cache (or on disk with sync) on return
            return written(port, reply, count);
        } catch (IOException e) {
            ioError(port, "write", e);
            return writeFailed(reply);
        }
    }

    /** Counts a write that reached the store and makes its acknowledgement. */
    int written(Port port, ByteBuffer reply, int count) {
        long bytes = (long) count * Ata.SECTOR;
        export.stats.writes.increment();
        export.stats.bytesWritten.add(bytes);
        port.stats.writes.increment();
        port.stats.bytesWritten.add(bytes);
        return ataStatus(reply, Ata.STATUS_DRDY, 0, Ata.HEADER);
    }

    static int writeFailed(ByteBuffer reply) {
        return ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.ERROR_ABRT, Ata.HEADER);
    }

    // ---- asynchronous stores (AsyncIo) ----------------------------------------------------

    /** A flush's {@link org.aoede.api.IoRequest#data()}. */
    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

    /**
     * Copies a checked read, write or flush into a request slot for the I/O threads. It counts as in
     * progress until its reply was sent. With every slot taken (more requests than the initiators
     * were told they may send) it is dropped: the initiator retransmits.
     */
    private int submit(Port port, ByteBuffer req, int kind, long lba, int count, Initiator ini, Outcome later) {
        AsyncIo.Request r = export.io.acquire(export.bufferCount());
        if (r == null) {
            export.count(port, Stats.Drop.BUSY);
            return NO_REPLY;
        }
        int len = req.limit();
        r.ensure(len, Math.max(len, Ata.DATA + count * Ata.SECTOR) + export.chain.trailerBytes() + 64);
        r.request.put(0, req, 0, len).limit(len);
        export.header(port, req, r.reply, Ata.HEADER);
        r.kind = kind;
        r.lba = lba;
        r.count = count;
        r.port = port;
        BlockStore st = export.store;
        r.store = st;
        r.submits = st.submits();
        int bytes = count * Ata.SECTOR;
        r.data = kind == AsyncIo.READ ? r.replyData.clear().limit(Ata.DATA + bytes).position(Ata.DATA)
                : kind == AsyncIo.WRITE ? r.requestData.clear().limit(Ata.DATA + bytes).position(Ata.DATA)
                : NO_DATA;
        r.initiator = ini;
        r.start = System.nanoTime();
        // held by the store until the port's receive batch ends (r is not touched after submit)
        boolean batched = r.submits && port.batching();
        r.batched = batched;
        export.inFlight.incrementAndGet();
        export.io.submit(r);
        if (batched) {
            port.submittedInBatch(st);
        }
        later.later();
        return NO_REPLY;
    }

    /** On an I/O thread: the store call of r, then its reply ({@link #completed}). */
    void complete(AsyncIo.Request r) {
        BlockStore st = r.store;
        if (st != export.store) {
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
        completed(r, failure);
    }

    /**
     * r's store call returned or its store completed it ({@code failure} null on success): its reply,
     * unless the time-out (or a stop) answered it already.
     */
    void completed(AsyncIo.Request r, Exception failure) {
        if (!r.answered.compareAndSet(false, true)) {
            return;                                 // too late: the time-out sent an error reply
        }
        int bytes = r.count * Ata.SECTOR;
        ByteBuffer reply = r.reply;
        reply.clear();
        int n;
        if (failure != null) {
            ioError(r.port, r.kind == AsyncIo.READ ? "read" : r.kind == AsyncIo.WRITE ? "write" : "flush",
                    failure instanceof IOException ioe ? ioe : new IOException(failure));
            n = ataStatus(reply, Ata.STATUS_DRDY | Ata.STATUS_ERR,
                    r.kind == AsyncIo.READ ? Ata.ERROR_UNC : Ata.ERROR_ABRT, Ata.HEADER);
        } else if (r.kind == AsyncIo.READ) {
            export.stats.reads.increment();
            export.stats.bytesRead.add(bytes);
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
        export.count(r.port, Stats.Error.TIMEOUT);
        buf.clear();
        buf.put(0, r.reply, 0, Ata.HEADER);        // its reply header, made at submission
        int n = ataStatus(buf, Ata.STATUS_DRDY | Ata.STATUS_ERR,
                r.kind == AsyncIo.READ ? Ata.ERROR_UNC : Ata.ERROR_ABRT, Ata.HEADER);
        answer(r, buf, n, call);
    }

    /** A request that gets no reply after all (the export stopped): no longer in progress. */
    void dropped(AsyncIo.Request r) {
        export.count(r.port, Stats.Drop.STOPPED);
        export.inFlight.decrementAndGet();
    }

    /** Runs the reply hooks (the extensions in use now, as for held writes) and sends the reply. */
    private void answer(AsyncIo.Request r, ByteBuffer reply, int n, Call call) {
        try {
            Extension[] exts = export.chain.list();
            if (r.initiator != null && exts.length > 0) {
                n = ExtensionChain.replyHooks(exts, exts.length, call.set(r.port, export, r.initiator), r.request, reply, n);
            }
            org.aoede.api.Link l = r.port.link();
            if (l != null) {
                r.port.send(l, export, reply, n, r.start);
            }
        } finally {
            export.inFlight.decrementAndGet();
        }
    }

    void ioError(Port port, String what, IOException e) {
        export.count(port, Stats.Error.IO);
        long now = System.currentTimeMillis();
        long last = lastIoErrorLog.get();
        if (now - last > 10_000 && lastIoErrorLog.compareAndSet(last, now)) {
            LOG.warn("export {}: {} failed on {}: {} (further errors within 10 s not logged)",
                    export.name(), what, export.store.describe(), e.toString());
        }
    }
}
