package org.aoede.extension.freeze;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import org.aoede.api.BlockStore;
import org.aoede.api.Freezer;

/**
 * The shadow file of a frozen (or merging) export and its on-disk format. All numbers little-endian.
 * <pre>
 * 0      header (one 512-byte sector, padded to 4096):
 *          0  magic "AoEdeFRZ"      8  version (int, 1)       12 state (int: 1 FROZEN, 2 MERGING)
 *         16  image sectors (long) 24  bitmap offset (long)   32 data offset (long)
 *         40  created, epoch ms    48  CRC32 of bytes 0..47 (int)
 * 4096   bitmap: bit (lba % 8) of byte (lba / 8) set = the shadow holds this sector's newest data;
 *        its size rounded up to 4096
 * data   sector lba at data offset + lba * 512 (a sparse file: only written sectors take space)
 * </pre>
 * The header is rewritten in place (a single sector: atomic in practice; the CRC catches a torn
 * one) only when the state changes, and forced. A sector's data is written before its bit, so a
 * set bit always points at complete data.
 */
final class Shadow implements AutoCloseable {
    static final byte[] MAGIC = "AoEdeFRZ".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = 4096;
    static final int SECTOR = BlockStore.SECTOR;

    final Path path;
    final FileChannel channel;
    final long sectors;
    final long bitmapOffset;
    final long dataOffset;
    final long created;
    Freezer.State state;

    private Shadow(Path path, FileChannel channel, long sectors, Freezer.State state, long created) {
        this.path = path;
        this.channel = channel;
        this.sectors = sectors;
        this.bitmapOffset = HEADER;
        this.dataOffset = HEADER + roundUp((sectors + 7) / 8, 4096);
        this.state = state;
        this.created = created;
    }

    static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }

    /** Words of the in-memory bitmap for {@code sectors}. */
    static int words(long sectors) {
        long w = (sectors + 63) / 64;
        if (w > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image too large for a shadow bitmap: " + sectors + " sectors");
        }
        return (int) w;
    }

    private static List<StandardOpenOption> options(boolean sync, StandardOpenOption create) {
        List<StandardOpenOption> o = new ArrayList<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        if (create != null) {
            o.add(create);
        }
        if (sync) {
            o.add(StandardOpenOption.DSYNC);       // the export's sync: each write on stable storage before the reply
        }
        return o;
    }

    /** Creates a new FROZEN shadow (fails if the file exists), forced to disk with its directory entry. */
    static Shadow create(Path path, long sectors, boolean sync) throws IOException {
        words(sectors);
        Files.createDirectories(path.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(path, options(sync, StandardOpenOption.CREATE_NEW).toArray(new StandardOpenOption[0]));
        try {
            Shadow s = new Shadow(path, ch, sectors, Freezer.State.FROZEN, System.currentTimeMillis());
            s.writeHeader(Freezer.State.FROZEN);
            forceDirectory(path);
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Opens an existing shadow and checks it belongs to an image of {@code sectors}. */
    static Shadow open(Path path, long sectors, boolean sync) throws IOException {
        FileChannel ch = FileChannel.open(path, options(sync, null).toArray(new StandardOpenOption[0]));
        try {
            ByteBuffer h = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            h.flip();
            byte[] magic = new byte[8];
            h.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(path + " is not a freeze shadow (bad magic)");
            }
            CRC32 crc = new CRC32();
            crc.update(h.array(), 0, 48);
            if ((int) crc.getValue() != h.getInt(48)) {
                throw new IOException(path + ": header checksum mismatch");
            }
            int version = h.getInt(8);
            if (version != VERSION) {
                throw new IOException(path + ": shadow format version " + version + ", this bundle reads " + VERSION);
            }
            int st = h.getInt(12);
            Freezer.State state = st == 1 ? Freezer.State.FROZEN : st == 2 ? Freezer.State.MERGING : null;
            if (state == null) {
                throw new IOException(path + ": unknown state " + st);
            }
            long n = h.getLong(16);
            if (n != sectors) {
                throw new IOException(path + " belongs to an image of " + n + " sectors, the export has " + sectors);
            }
            Shadow s = new Shadow(path, ch, sectors, state, h.getLong(40));
            if (h.getLong(24) != s.bitmapOffset || h.getLong(32) != s.dataOffset) {
                throw new IOException(path + ": unexpected layout");
            }
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Rewrites the header with a new state and forces the file. */
    void writeHeader(Freezer.State st) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(st == Freezer.State.FROZEN ? 1 : 2)
                .putLong(sectors).putLong(bitmapOffset).putLong(dataOffset).putLong(created);
        CRC32 crc = new CRC32();
        crc.update(h.array(), 0, 48);
        h.putInt((int) crc.getValue());
        h.clear();
        writeFully(channel, h, 0);
        channel.force(true);
        state = st;
    }

    /** Reads the whole bitmap into words. */
    long[] readBitmap() throws IOException {
        long[] words = new long[words(sectors)];
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long bytes = (long) words.length * 8;
        for (long off = 0; off < bytes; off += b.capacity()) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), bytes - off));
            int got = readUpTo(channel, b, bitmapOffset + off); // past the end of a sparse file: zeros
            while (b.hasRemaining()) {
                b.put((byte) 0);
            }
            b.flip();
            for (int i = 0; b.remaining() >= 8; i++) {
                words[(int) (off / 8) + i] = b.getLong();
            }
            if (got < 0) {
                break;
            }
        }
        // bits past the image's end would be garbage
        int tail = (int) (sectors % 64);
        if (tail != 0 && words.length > 0) {
            words[words.length - 1] &= (1L << tail) - 1;
        }
        return words;
    }

    /** Writes words {@code [from, to)} of the bitmap to the file. */
    void writeBitmap(long[] words, int from, int to) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((to - from) * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            b.putLong(words[i]);
        }
        b.flip();
        writeFully(channel, b, bitmapOffset + (long) from * 8);
    }

    void readData(long lba, ByteBuffer dst) throws IOException {
        readFully(channel, dst, dataOffset + lba * SECTOR);
    }

    void writeData(long lba, ByteBuffer src) throws IOException {
        writeFully(channel, src, dataOffset + lba * SECTOR);
    }

    /** Removes the shadow file (after the merge); the directory entry is forced. */
    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
        forceDirectory(path);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static void forceDirectory(Path file) {
        try (FileChannel d = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened for fsync; the data itself is forced
        }
    }

    static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new EOFException("shadow ends at " + pos);
            }
            pos += n;
        }
    }

    /** Reads what there is; -1 if the end of the file was reached before {@code dst} was full. */
    private static int readUpTo(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                return -1;
            }
            pos += n;
            total += n;
        }
        return total;
    }

    static void writeFully(FileChannel ch, ByteBuffer src, long pos) throws IOException {
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }
}
