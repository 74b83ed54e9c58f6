package org.aoede.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.aoede.api.StripedLocks;

/**
 * O_DIRECT needs positions, lengths and buffers aligned to the file system's block, but AoE
 * frames carry 1 KiB or 8.5 KiB: every access goes through an aligned bounce buffer, and writes
 * are read-modify-write under per-block locks so two frames sharing a block cannot undo each
 * other.
 */
final class DirectIo {
    private static final int STRIPES = 256;
    private final FileChannel channel;
    private final int align;
    private final StripedLocks stripes = new StripedLocks(STRIPES);
    private final ThreadLocal<ByteBuffer> bounce;

    DirectIo(FileChannel channel, int align) {
        this.channel = channel;
        this.align = align;
        this.bounce = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024 + 2 * align).alignedSlice(align));
    }

    static int alignment(Path file) {
        try {
            long b = Files.getFileStore(file).getBlockSize();
            return (int) Math.max(4096, Math.min(b, 65536));
        } catch (IOException | UnsupportedOperationException e) {
            return 4096;
        }
    }

    void read(long pos, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        long start = pos - pos % align;
        int span = (int) (roundUpLong(pos + len) - start);
        ByteBuffer b = buffer(span);
        lock(start, span);
        try {
            fill(b, start);
        } finally {
            unlock(start, span);
        }
        b.position((int) (pos - start)).limit((int) (pos - start) + len);
        dst.put(b);
    }

    void write(long pos, ByteBuffer src) throws IOException {
        write(pos, new ByteBuffer[] {src});
    }

    /** True if a write of {@code len} bytes at {@code pos} takes few enough blocks for one locked span. */
    boolean fits(long pos, int len) {
        long start = pos - pos % align;
        return (roundUpLong(pos + len) - start) / align <= STRIPES / 2;
    }

    /** The buffers one after the other from pos, with one aligned write (a gathering write in direct mode). */
    void write(long pos, ByteBuffer[] srcs) throws IOException {
        int len = 0;
        for (ByteBuffer src : srcs) {
            len += src.remaining();
        }
        long start = pos - pos % align;
        int span = (int) (roundUpLong(pos + len) - start);
        ByteBuffer b = buffer(span);
        lock(start, span);
        try {
            boolean whole = pos == start && len == span;
            if (!whole) {
                fill(b, start);
            }
            b.clear().limit(span);
            b.position((int) (pos - start));
            for (ByteBuffer src : srcs) {
                b.put(src);
            }
            b.position(0).limit(span);
            long p = start;
            while (b.hasRemaining()) {
                p += channel.write(b, p);
            }
        } finally {
            unlock(start, span);
        }
    }

    private void fill(ByteBuffer b, long start) throws IOException {
        long p = start;
        while (b.hasRemaining()) {
            int n = channel.read(b, p);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + p);
            }
            p += n;
        }
        b.flip();
    }

    private ByteBuffer buffer(int span) {
        ByteBuffer b = bounce.get();
        if (b.capacity() < span) {
            b = ByteBuffer.allocateDirect(span + align).alignedSlice(align);
            bounce.set(b);
        }
        b.clear().limit(span);
        return b;
    }

    private long roundUpLong(long v) {
        return (v + align - 1) / align * align;
    }

    /** The block locks of {@code [start, start + span)}; a span is at most STRIPES / 2 blocks ({@link #fits}). */
    private void lock(long start, int span) {
        stripes.lock(start / align, span / align);
    }

    private void unlock(long start, int span) {
        stripes.unlock(start / align, span / align);
    }
}
