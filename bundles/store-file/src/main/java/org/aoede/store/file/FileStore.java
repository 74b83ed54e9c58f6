package org.aoede.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.nio.file.ExtendedOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.aoede.api.BlockStore;
import org.aoede.api.IoRequest;
import org.aoede.api.StoreSpec;
import org.aoede.api.StoreSpec.Invalid;

/**
 * A window of a file or block device through {@link FileChannel} positional I/O, safe for
 * concurrent use. The window is claimed with an advisory byte-range lock (refusing overlapping
 * windows in this and other processes) and a block device additionally with O_EXCL (refusing
 * a mounted device).
 */
public final class FileStore implements BlockStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
    /** Direct mode submits through Linux AIO unless {@code aoede.aio=false} (then: the export's I/O threads). */
    static final boolean AIO = !"false".equals(System.getProperty("aoede.aio"));
    /** Why Linux AIO is not available here (null: it is); checked once. */
    private static volatile String aioUnavailable;
    private static volatile boolean aioChecked;
    /**
     * The stores open in this JVM. FileChannel's locks are per JVM (and dropped by closing any
     * descriptor of the file), so {@link #check} compares with these instead of trying a lock.
     */
    private static final Set<FileStore> OPEN = ConcurrentHashMap.newKeySet();
    private final Path file;
    /** As opened: tells {@link #check} which store an edit replaces. */
    private final StoreSpec spec;
    private final Window window;
    private final FileChannel channel;
    private final FileLock lock;
    private final BlockDeviceClaim claim;
    private final boolean readOnly;
    private final boolean sync;
    private final boolean blockDevice;
    /** 4 KiB: the largest page-cache write worth holding for coalescing (see coalesceWritesUpTo). */
    static final int SMALL_WRITE_SECTORS = 8;
    private final long offset;
    private final long sectors;
    private final DirectIo direct;
    /** pwritev on a descriptor of its own; null when read-only or direct (DirectIo gathers itself). */
    private final Gather gather;
    /** Direct mode's Linux AIO: reads and aligned writes submitted, completed on its own thread; else null. */
    private final LinuxAio aio;
    /** Gathering writes done in one call (pwritev, or one aligned direct write). */
    final java.util.concurrent.atomic.LongAdder gatheringWrites = new java.util.concurrent.atomic.LongAdder();

    private FileStore(Path file, FileChannel channel, FileLock lock, BlockDeviceClaim claim, StoreSpec spec,
                      Window window, DirectIo direct, Gather gather, LinuxAio aio) {
        this.file = file;
        this.spec = spec;
        this.window = window;
        this.channel = channel;
        this.lock = lock;
        this.claim = claim;
        this.readOnly = spec.readOnly();
        this.sync = spec.sync();
        this.blockDevice = claim != null;
        this.offset = spec.offsetSectors() * SECTOR;
        this.sectors = window.length;
        this.direct = direct;
        this.gather = gather;
        this.aio = aio;
    }

    public static FileStore open(StoreSpec spec) throws IOException {
        Path file = target(spec);
        boolean blockDevice = !Files.isRegularFile(file);
        List<OpenOption> options = new ArrayList<>();
        options.add(StandardOpenOption.READ);
        if (!spec.readOnly()) {
            options.add(StandardOpenOption.WRITE);
        }
        if (spec.sync() && !spec.readOnly()) {
            options.add(StandardOpenOption.DSYNC);
        }
        if (spec.direct()) {
            options.add(ExtendedOpenOption.DIRECT);
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            BlockDeviceClaim claim = null;
            if (blockDevice) {
                claim = BlockDeviceClaim.claim(file, spec.readOnly());
                opened.add(claim);
            }
            FileChannel ch = FileChannel.open(file, options.toArray(new OpenOption[0]));
            opened.add(ch);
            Window w = Window.of(file, spec, ch.size());
            FileLock lock;
            try {
                lock = ch.tryLock(w.lockStart, w.lockEnd - w.lockStart, spec.readOnly());
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw w.overlapping(file, spec);
            }
            DirectIo direct = spec.direct() ? new DirectIo(ch, w.align) : null;
            Gather gather = null;
            if (!spec.readOnly() && !spec.direct()) {
                gather = Gather.open(file, spec.sync());
                opened.add(0, gather);              // closed first: it would drop the channel's lock
            }
            LinuxAio aio = null;
            if (direct != null && AIO && aioAvailable()) {
                aio = new LinuxAio(file, spec.readOnly(), spec.sync(), w.align, spec.offsetSectors() * SECTOR, direct,
                        LinuxAio.BATCH);
                opened.add(0, aio);                 // closed first, as the gathering descriptor
            }
            FileStore store = new FileStore(file, ch, lock, claim, spec, w, direct, gather, aio);
            OPEN.add(store);
            return store;
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
    }

    private static boolean aioAvailable() {
        if (!aioChecked) {
            synchronized (FileStore.class) {
                if (!aioChecked) {
                    aioUnavailable = LinuxAio.unavailable();
                    aioChecked = true;
                    if (aioUnavailable != null) {
                        LOG.warn("direct mode uses I/O threads instead of Linux AIO: {}", aioUnavailable);
                    }
                }
            }
        }
        return aioUnavailable == null;
    }

    /**
     * Refuses what {@link #open} would refuse, holding nothing open afterwards (see
     * {@link org.aoede.api.BlockStoreFactory#check}). A regular file is not opened at all: closing
     * any descriptor of a file drops the locks this process holds on it, other exports' included.
     */
    public static void check(StoreSpec spec, StoreSpec replacing) throws IOException {
        Path file = target(spec);
        boolean blockDevice = !Files.isRegularFile(file);
        Window w = Window.of(file, spec, blockDevice ? blockDeviceBytes(file) : Files.size(file));
        boolean replacesSameFile = false;
        for (FileStore s : OPEN) {
            if (s.spec.equals(replacing)) {
                replacesSameFile |= s.file.equals(file);  // closed before the new one opens
            } else if (s.file.equals(file)) {
                if (blockDevice) {
                    throw new Invalid("file", file + " is in use by another export");
                }
                if (w.overlaps(s.window)) {
                    throw w.overlapping(file, spec);
                }
            }
        }
        if (blockDevice && !replacesSameFile) {
            // Mounted, or held by another program? The exclusive claim tells; released at once.
            BlockDeviceClaim.claim(file, spec.readOnly()).close();
        }
    }

    /**
     * The file of a spec, refused as {@link #open} and {@link #check} both refuse it: missing, a
     * directory, neither a regular file nor a block device, not writable for a writable export.
     */
    private static Path target(StoreSpec spec) throws IOException {
        Path given = spec.file();
        if (given == null) {
            throw new Invalid("file", "no file given");
        }
        if (!Files.exists(given)) {
            throw new Invalid("file", given + " does not exist");
        }
        Path file = given.toRealPath();
        if (Files.isDirectory(file)) {
            throw new Invalid("file", file + " is a directory");
        }
        if (!Files.isRegularFile(file) && !isBlockDevice(file)) {
            throw new Invalid("file", file + " is neither a regular file nor a block device");
        }
        if (!Files.isReadable(file)) {
            throw new Invalid("file", file + " is not readable");
        }
        if (!spec.readOnly() && !Files.isWritable(file)) {
            throw new Invalid("file", file + " is not writable (read-only = true exports it read-only)");
        }
        if (spec.offsetSectors() < 0) {
            throw new Invalid("offset", "must not be negative");
        }
        if (spec.lengthSectors() < 0) {
            throw new Invalid("length", "must not be negative");
        }
        return file;
    }

    private static boolean isBlockDevice(Path file) {
        try {
            return ((Integer) Files.getAttribute(file, "unix:mode") & 0170000) == 0060000;   // S_IFBLK
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A block device's size from sysfs ({@code /sys/dev/block/MAJOR:MINOR/size}, in 512-byte units), without opening it. */
    static long blockDeviceBytes(Path device) throws IOException {
        long rdev = (Long) Files.getAttribute(device, "unix:rdev");
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);     // glibc's gnu_dev_major/minor
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        Path size = Path.of("/sys/dev/block/" + major + ":" + minor + "/size");
        try {
            return Long.parseLong(Files.readString(size).trim()) * SECTOR;
        } catch (IOException | NumberFormatException e) {
            throw new Invalid("file", device + ": cannot read its size from " + size + " (" + e.getMessage() + ")");
        }
    }

    /** The window a spec claims in a file of {@code size} bytes: the byte range its lock covers. */
    private record Window(long length, int align, long lockStart, long lockEnd) {
        static Window of(Path file, StoreSpec spec, long size) throws Invalid {
            long fileSectors = size / SECTOR;
            long offset = spec.offsetSectors();
            if (offset > fileSectors) {
                throw new Invalid("offset", "offset " + offset + " is past the end of " + file + " ("
                        + fileSectors + " sectors)");
            }
            long length = spec.lengthSectors() == 0 ? fileSectors - offset : spec.lengthSectors();
            if (length > fileSectors - offset) {
                throw new Invalid("length", "window " + offset + "+" + length + " sectors is past the end of "
                        + file + " (" + fileSectors + " sectors)");
            }
            if (length == 0) {
                throw new Invalid(offset == 0 ? "file" : "offset", file + " has no whole sector to export"
                        + (offset == 0 ? "" : " after offset " + offset));
            }
            // Direct mode reads and writes whole aligned blocks (read-modify-write), so:
            // (1) a window ending in a partial last block would fail at the first access to it (O_DIRECT
            // read at an unaligned position) and its writes would grow the file: it is refused;
            // (2) two windows sharing a block would lose updates (each store's read-modify-write restores
            // the other's old bytes): a direct window claims its whole blocks, so such a neighbour is refused.
            int align = spec.direct() ? DirectIo.alignment(file) : SECTOR;
            long start = offset * SECTOR;
            long end = start + length * SECTOR;
            long lockStart = start - start % align;
            long lockEnd = (end + align - 1) / align * align;
            if (lockEnd > size) {
                throw new Invalid("direct", file + ": direct mode accesses whole " + align + "-byte blocks, but the window "
                        + offset + "+" + length + " ends in the partial last block of the file ("
                        + size + " bytes); end the window earlier or turn direct off");
            }
            return new Window(length, align, lockStart, lockEnd);
        }

        boolean overlaps(Window o) {
            return lockStart < o.lockEnd && o.lockStart < lockEnd;
        }

        Invalid overlapping(Path file, StoreSpec spec) {
            return new Invalid("file", file + ": the window " + spec.offsetSectors() + "+" + length
                    + " overlaps a window already in use by another export"
                    + (spec.direct() ? " (direct mode claims whole " + align + "-byte blocks)" : ""));
        }
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private long position(long lba, int bytes) throws IOException {
        if (lba < 0 || bytes % SECTOR != 0 || lba + bytes / SECTOR > sectors) {
            throw new IOException("access " + lba + "+" + bytes / SECTOR + " outside the export (" + sectors + ")");
        }
        return offset + lba * SECTOR;
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        long pos = position(lba, dst.remaining());
        if (direct != null) {
            direct.read(pos, dst);
            return;
        }
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                // A block device or file that shrank under us: report, never invent data.
                throw new IOException("unexpected end of " + file);
            }
            pos += n;
        }
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException("read-only");
        }
        long pos = position(lba, src.remaining());
        if (direct != null) {
            direct.write(pos, src);
            return;
        }
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    /**
     * One gathering write: {@code pwritev} (direct buffers), or in direct mode one aligned write of
     * the whole run through the bounce buffer; else one buffer after the other.
     */
    @Override
    public void write(long lba, ByteBuffer[] srcs) throws IOException {
        if (readOnly) {
            throw new IOException("read-only");
        }
        long bytes = 0;
        for (ByteBuffer b : srcs) {
            bytes += b.remaining();
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IOException("gathering write of " + bytes + " bytes is too large");
        }
        long pos = position(lba, (int) bytes);
        if (direct != null && direct.fits(pos, (int) bytes)) {
            direct.write(pos, srcs);
            gatheringWrites.increment();
        } else if (gather != null && Gather.fits(srcs)) {
            gather.write(pos, srcs);
            gatheringWrites.increment();
        } else {
            BlockStore.super.write(lba, srcs);
        }
    }

    /**
     * Sequential writes of a receive batch go down as one call (pwritev, or one aligned write in
     * direct mode). With {@code sync} or {@code direct} every write waits for the disk, so any size
     * pays; into the page cache only small ones do: at MTU 9000 (17 sectors) copying the held data
     * cost more than the saved calls (bench/run.sh seqwrite QD16: 2 sectors +40%, 17 sectors -10%).
     */
    @Override
    public int coalesceWritesUpTo() {
        if (readOnly || (direct == null && gather == null)) {
            return 0;
        }
        return direct != null || sync ? Integer.MAX_VALUE : SMALL_WRITE_SECTORS;
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public java.util.Map<String, Long> statistics() {
        if (aio != null) {
            return java.util.Map.of("store-gathering-writes", gatheringWrites.sum(),
                    "store-aio-submit-calls", aio.submitCalls(), "store-aio-submitted", aio.submitted());
        }
        return java.util.Map.of("store-gathering-writes", gatheringWrites.sum());
    }

    @Override
    public boolean sync() {
        return sync;
    }

    /**
     * With O_DIRECT, {@code sync} or on a block device every call waits for the device (tens of µs
     * to ms): the export keeps many in flight through its I/O threads. A buffered regular file is
     * served from the page cache in about a µs, less than handing the call to another thread costs.
     */
    @Override
    public boolean asynchronous() {
        return direct != null || (sync && !readOnly) || blockDevice;
    }

    /** Direct mode with Linux AIO: the export hands reads, writes and flushes to {@link #submit}. */
    @Override
    public boolean submits() {
        return aio != null;
    }

    /** Requests in the kernel now (tests). */
    int aioInKernel() {
        return aio == null ? 0 : aio.inKernel();
    }

    @Override
    public void submit(IoRequest request) {
        if (aio == null) {
            BlockStore.super.submit(request);
            return;
        }
        int kind = request.kind();
        if (kind != IoRequest.READ && readOnly) {
            if (kind == IoRequest.FLUSH) {
                request.completed(null);            // nothing written: nothing to flush
            } else {
                request.completed(new IOException("read-only"));
            }
            return;
        }
        if (kind != IoRequest.FLUSH) {
            try {
                position(request.lba(), request.data().remaining());
            } catch (IOException e) {
                request.completed(e);
                return;
            }
        }
        aio.submit(request);
    }

    /** Starts the batched requests Linux AIO held back, with one {@code io_submit}. */
    @Override
    public void submitBatchEnd() {
        if (aio != null) {
            aio.submitBatchEnd();
        }
    }

    @Override
    public String describe() {
        return file + " [" + offset / SECTOR + "+" + sectors + "]" + (readOnly ? " ro" : "")
                + (direct != null ? " direct" : "") + (sync ? " sync" : "");
    }

    @Override
    public void close() throws IOException {
        OPEN.remove(this);
        if (aio != null) {
            aio.close();                            // its requests end before the channel's descriptor
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } finally {
            if (gather != null) {
                gather.close();
            }
            if (claim != null) {
                claim.close();
            }
        }
    }
}
