package org.aoede.store.file;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Positional gathering writes ({@code pwritev}) through a descriptor of its own on the file.
 * FileChannel has no positional gathering write (its {@code write(ByteBuffer[])} uses the shared
 * file position, so concurrent writers would have to serialize on it), and its descriptor is not
 * reachable without opening JDK internals; {@code pwritev} on a second descriptor of the same file
 * shares the page cache with the channel and is safe for concurrent use. Opened with the same
 * O_DSYNC as the channel. Buffers must be direct (their addresses go to the kernel).
 *
 * <p>Closing any descriptor of a file drops the process's POSIX locks on it, as closing the
 * channel does: the store closes this one only together with the channel.
 */
final class Gather implements AutoCloseable {
    // <fcntl.h>, <limits.h> (x86_64 and aarch64 agree)
    private static final int O_WRONLY = 1;
    private static final int O_DSYNC = 0x1000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    static final int IOV_MAX = 1024;
    private static final int IOVEC = 16;

    static {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
            throw new UnsupportedOperationException("pwritev needs 64-bit Linux");
        }
        Native.register(Gather.class, "c");
    }

    private static native int open(String path, int flags) throws LastErrorException;

    private static native long pwritev(int fd, long iov, int iovcnt, long offset) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private final int fd;
    private final ThreadLocal<ByteBuffer> iovecs = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(IOV_MAX * IOVEC).order(ByteOrder.nativeOrder()));

    private Gather(int fd) {
        this.fd = fd;
    }

    static Gather open(Path file, boolean sync) throws IOException {
        try {
            return new Gather(open(file.toString(), O_WRONLY | O_CLOEXEC | (sync ? O_DSYNC : 0)));
        } catch (LastErrorException e) {
            throw new IOException(file + ": cannot open for gathering writes (errno " + e.getErrorCode() + ")");
        }
    }

    /** True if one call can take these buffers (all direct, not too many). */
    static boolean fits(ByteBuffer[] srcs) {
        if (srcs.length > IOV_MAX) {
            return false;
        }
        for (ByteBuffer b : srcs) {
            if (!b.isDirect()) {
                return false;
            }
        }
        return true;
    }

    /** Writes the buffers' remaining bytes one after the other from {@code pos}; consumes them. */
    void write(long pos, ByteBuffer[] srcs) throws IOException {
        ByteBuffer iov = iovecs.get();
        int n = srcs.length;
        for (int i = 0; i < n; i++) {
            ByteBuffer b = srcs[i];
            iov.putLong(i * IOVEC, Pointer.nativeValue(Native.getDirectBufferPointer(b)) + b.position());
            iov.putLong(i * IOVEC + 8, b.remaining());
        }
        long iovAddr = Pointer.nativeValue(Native.getDirectBufferPointer(iov));
        int first = 0;
        long at = pos;
        try {
            while (first < n) {
                long r;
                try {
                    r = pwritev(fd, iovAddr + (long) first * IOVEC, n - first, at);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    throw new IOException("pwritev at " + at + ": errno " + e.getErrorCode());
                }
                if (r == 0) {
                    throw new IOException("pwritev at " + at + " wrote nothing");  // never spin on it
                }
                at += r;
                // a short write: skip what went out, go on from the middle of a buffer if need be
                while (r > 0 && first < n) {
                    long len = iov.getLong(first * IOVEC + 8);
                    if (r >= len) {
                        r -= len;
                        first++;
                    } else {
                        iov.putLong(first * IOVEC, iov.getLong(first * IOVEC) + r);
                        iov.putLong(first * IOVEC + 8, len - r);
                        r = 0;
                    }
                }
                while (first < n && iov.getLong(first * IOVEC + 8) == 0) {
                    first++;
                }
            }
        } finally {
            Reference.reachabilityFence(srcs);
            Reference.reachabilityFence(iov);
        }
        for (ByteBuffer b : srcs) {
            b.position(b.limit());
        }
    }

    @Override
    public void close() {
        try {
            close(fd);
        } catch (LastErrorException ignored) {
            // nothing left to release
        }
    }
}
