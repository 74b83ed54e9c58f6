package org.aoede.target;

import java.nio.ByteBuffer;

import org.aoede.api.BlockStore;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;

/**
 * The writes a port holds during one receive batch for coalescing (when the export's store
 * {@link BlockStore#coalescesWrites() asks for it}): their data copied out of the frames, their
 * request and reply headers. At the end of the batch, or before any other request of the port is
 * handled, {@link #commit} hands each run of contiguous writes (same export and store, each
 * starting where the previous ended, in arrival order) to the export, which writes the run with one
 * gathering write and only then acknowledges its writes. Receive thread of the port only.
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

    private final Staged[] staged = new Staged[MAX];
    private int size;
    /** Reply buffer of the acknowledgements (the port's own is in use while a request is served). */
    final ByteBuffer ack = ByteBuffer.allocate(65536 + 64);

    WriteBatch() {
        for (int i = 0; i < MAX; i++) {
            staged[i] = new Staged();
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean isFull() {
        return size == MAX;
    }

    /** True for an ATA WRITE (LBA28 or LBA48) request: those may join the batch, anything else ends it first. */
    static boolean isAtaWrite(ByteBuffer f) {
        if (f.limit() < Ata.HEADER || Aoe.command(f) != Aoe.CMD_ATA) {
            return false;
        }
        int cmd = Ata.command(f);
        return cmd == Ata.CMD_WRITE || cmd == Ata.CMD_WRITE_EXT;
    }

    /** Holds a checked write; its reply header is already in {@code reply}. The caller made room. */
    Staged stage(Export e, BlockStore store, ByteBuffer req, ByteBuffer reply, long lba, int count) {
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

    /** The write staged last. */
    Staged last() {
        return staged[size - 1];
    }

    /** Hands the held writes, run by run, to their exports; afterwards the batch is empty. */
    void commit(Port port) {
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
                a.export.ata.commitWrites(port, staged, i, j);
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

    /** The data of staged[from..to) as buffers for one gathering write. */
    static ByteBuffer[] buffers(Staged[] s, int from, int to) {
        ByteBuffer[] b = new ByteBuffer[to - from];
        for (int i = from; i < to; i++) {
            b[i - from] = s[i].data.duplicate().position(0).limit(s[i].count * Ata.SECTOR);
        }
        return b;
    }
}
