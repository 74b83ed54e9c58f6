package org.aoede.server;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.aoede.api.BlockStore;
import org.aoede.api.Extension;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;

/**
 * Write coalescing of one port, all of it: which writes are held ({@link #holds}), holding them
 * ({@link #offer}), and writing and acknowledging them ({@link #commit}). A write is held during
 * one receive batch when it continues its export's last write and the export's store
 * {@link BlockStore#coalescesWrites() asks for it}: its data copied out of the frame, its request and
 * reply headers kept. At the end of the batch, or before any request of the port that will not
 * join it ({@link #before}), each run of contiguous writes (same export and store, each starting
 * where the previous ended, in arrival order) is written with one gathering write and only then are
 * its writes acknowledged. Receive thread of the port only.
 */
final class WriteBatch {
    /** At most this many writes wait; one more commits the batch first (a pcap batch may be longer). */
    static final int MAX = 64;

    static final class Staged {
        Export export;
        BlockStore store;
        Initiator initiator;
        long lba;
        int count;
        long start;
        /** The data, in a direct buffer (a gathering write hands its address to the kernel). */
        ByteBuffer data;
        final byte[] request = new byte[Ata.HEADER];
        final byte[] reply = new byte[Ata.HEADER];
    }

    private final Port port;
    private final Staged[] staged = new Staged[MAX];
    private int size;
    /** Reply buffer of the acknowledgements (the port's own is in use while a request is served). */
    private final ByteBuffer ack = ByteBuffer.allocate(65536 + 64);

    WriteBatch(Port port) {
        this.port = port;
        for (int i = 0; i < MAX; i++) {
            staged[i] = new Staged();
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** True for an ATA WRITE (LBA28 or LBA48) request: those may join the batch, anything else ends it first. */
    static boolean isAtaWrite(ByteBuffer f) {
        if (f.limit() < Ata.HEADER || Aoe.command(f) != Aoe.CMD_ATA) {
            return false;
        }
        int cmd = Ata.command(f);
        return cmd == Ata.CMD_WRITE || cmd == Ata.CMD_WRITE_EXT;
    }

    /**
     * True if a write of {@code count} sectors at {@code lba} is held for coalescing on a batching
     * link: it continues the export's last write and the store coalesces writes of that size.
     */
    static boolean holds(Export e, long lba, int count) {
        // an asynchronous or submitting store's writes go to AsyncIo one by one, never held
        return lba == e.nextWrite && count <= e.store.coalesceWritesUpTo() && !e.store.asynchronous()
                && !e.store.submits();
    }

    /**
     * Before the port hands request {@code f} to export {@code e}: the held writes first, unless
     * {@code f} is a write that will join them. Ordering exactly as received (a write that is not
     * held, not continuing its export's last write, must not overtake them); a full batch now, not
     * while the reply is being built in the link's transmit slot (its acknowledgements need slots too).
     */
    void before(Export e, ByteBuffer f) {
        if (size > 0 && (!isAtaWrite(f) || size == MAX || !holds(e, Ata.lba(f), Ata.sectorCount(f)))) {
            commit();
        }
    }

    /**
     * A checked write of export {@code e} to {@code st} (its reply header already in {@code reply}),
     * moving the export's stream position. Held if {@code mayHold} (it came from the wire, the port's
     * own request), it continues the stream and the link batches: then true, it is in progress until
     * acknowledged (a pause waits for it) and its reply hooks run, for {@code ini}, when it is. Else
     * false, after committing what is held: the caller writes it now.
     */
    boolean offer(Export e, BlockStore st, ByteBuffer req, ByteBuffer reply, long lba, int count,
            boolean mayHold, Initiator ini) {
        boolean hold = mayHold && holds(e, lba, count) && port.batching();
        e.nextWrite = lba + count;
        if (hold) {
            if (size == MAX) {
                commit();
            }
            stage(e, st, req, reply, lba, count).initiator = ini;
            e.inFlight.incrementAndGet();
            return true;
        }
        if (size > 0) {
            commit();                               // (before() did, unless another port moved nextWrite)
        }
        return false;
    }

    /** Holds a checked write; its reply header is already in {@code reply}. The caller made room. */
    private Staged stage(Export e, BlockStore store, ByteBuffer req, ByteBuffer reply, long lba, int count) {
        Staged s = staged[size++];
        s.export = e;
        s.store = store;
        s.initiator = null;
        s.lba = lba;
        s.count = count;
        s.start = System.nanoTime();
        int bytes = count * Ata.SECTOR;
        if (s.data == null || s.data.capacity() < bytes) {
            s.data = ByteBuffer.allocateDirect(Math.max(bytes, 17 * Ata.SECTOR));
        }
        s.data.clear();
        s.data.put(0, req, Ata.DATA, bytes);
        s.data.limit(bytes);
        req.get(0, s.request);
        reply.get(0, s.reply);
        return s;
    }

    /** Writes and acknowledges the held writes, run by run; afterwards the batch is empty. */
    void commit() {
        int n = size;
        try {
            int i = 0;
            while (i < n) {
                Staged a = staged[i];
                long end = a.lba + a.count;
                int j = i + 1;
                while (j < n && staged[j].export == a.export && staged[j].store == a.store && staged[j].lba == end) {
                    end += staged[j].count;
                    j++;
                }
                commitRun(a.export, i, j);
                i = j;
            }
        } finally {
            for (int i = 0; i < n; i++) {
                Staged s = staged[i];
                s.export = null;                    // no references to stopped exports and closed stores
                s.store = null;
                s.initiator = null;
            }
            size = 0;
        }
    }

    /**
     * Writes the held writes staged[from..to) of export {@code e} (contiguous, one store) with one
     * gathering write, then acknowledges each (or answers each with the ATA error if it failed),
     * running the reply hooks now. A held write counts as a request in progress from the moment it
     * was held, so a pause or stop waits for the batch to end and never swaps or closes the store
     * under it. Only if that wait timed out and the store was replaced meanwhile are they dropped
     * unacknowledged (the initiator retransmits them).
     */
    private void commitRun(Export e, int from, int to) {
        Staged[] s = staged;
        try {
            BlockStore st = s[from].store;
            if (e.store != st) {
                for (int i = from; i < to; i++) {
                    e.count(port, Stats.Drop.STOPPED);
                }
                return;
            }
            boolean ok;
            try {
                st.write(s[from].lba, buffers(s, from, to));
                ok = true;
            } catch (IOException x) {
                e.ata.ioError(port, "write", x);
                ok = false;
            }
            Extension[] exts = e.chain.list();
            org.aoede.api.Link l = port.link();
            ByteBuffer r = ack;
            for (int i = from; i < to; i++) {
                Staged w = s[i];
                r.clear();
                r.put(0, w.reply);
                int n = ok ? e.ata.written(port, r, w.count) : AtaCommands.writeFailed(r);
                if (w.initiator != null && exts.length > 0) {
                    // the hooks see the request's headers (its data is written by now)
                    n = ExtensionChain.replyHooks(exts, exts.length, port.call.set(e, w.initiator), ByteBuffer.wrap(w.request), r, n);
                }
                if (l != null) {
                    port.send(l, e, r, n, w.start);
                }
            }
        } finally {
            e.inFlight.addAndGet(from - to);        // the held writes are done
        }
    }

    /** The data of staged[from..to) as buffers for one gathering write. */
    static ByteBuffer[] buffers(Staged[] s, int from, int to) {
        ByteBuffer[] b = new ByteBuffer[to - from];
        for (int i = from; i < to; i++) {
            b[i - from] = s[i].data.duplicate().position(0).limit(s[i].count * Ata.SECTOR);
        }
        return b;
    }
}
