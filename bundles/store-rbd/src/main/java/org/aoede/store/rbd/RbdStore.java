package org.aoede.store.rbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.aoede.api.BlockStore;
import org.aoede.api.IoRequest;
import org.aoede.api.LockingStore;
import org.aoede.api.ResizingStore;
import org.aoede.api.StoreSpec;
import org.aoede.api.StoreSpec.Invalid;
import org.aoede.store.rbd.Ceph.Rados;
import org.aoede.store.rbd.Ceph.Rbd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A window of an RBD image through librbd: one cluster connection and one open image per store.
 * Reads, writes and flushes are submitted with {@code rbd_aio_*} and completed from librbd's
 * callback thread ({@link #submit}); the blocking {@link #read}/{@link #write}/{@link #flush} serve
 * wrappers and the export's I/O threads. librbd's cache is off ({@code rbd_cache = false}), so a
 * completed write is on the OSDs: the Linux aoe driver never sends FLUSH and treats a completed
 * write as stable.
 */
public final class RbdStore implements BlockStore, ResizingStore, LockingStore {
    private static final Logger LOG = LoggerFactory.getLogger(RbdStore.class);
    /** Seconds to reach the monitors and authenticate before open fails (cluster unreachable). */
    static final String CONNECT_TIMEOUT = System.getProperty("aoede.rbd.connect.timeout", "5");
    /** Seconds an OSD may take for one request before it fails with ETIMEDOUT (an ATA error), never a hang. */
    static final String OP_TIMEOUT = System.getProperty("aoede.rbd.op.timeout", "30");
    /** Requests in flight per store at most (the export's buffer count, on several interfaces). */
    static final int MAX_IN_FLIGHT = 4096;
    private static final int READ = IoRequest.READ;
    private static final int WRITE = IoRequest.WRITE;

    /** Size checks after an update notification: librbd must not be called back from its own watch thread. */
    private static final ExecutorService WATCH = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "aoede-rbd-watch");
        t.setDaemon(true);
        return t;
    });

    /** One per JVM, kept reachable: JNA frees a callback's native trampoline with its Java object. */
    private static final Ceph.Completed COMPLETED = RbdStore::completed;
    private static final Ceph.Updated UPDATED = RbdStore::updated;
    /** The open stores by the number given to librbd as the watch's argument. */
    private static final Map<Long, RbdStore> BY_ID = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    /** Every request slot, by the number given to librbd as the completion's argument; shared by the stores. */
    private static final Slot[] SLOTS = new Slot[1 << 16];
    private static final AtomicInteger SLOT_COUNT = new AtomicInteger();
    private static final ArrayBlockingQueue<Slot> FREE = new ArrayBlockingQueue<>(SLOTS.length);

    static {
        // librbd's callback threads stay attached to the JVM (a completion costs no attach/detach).
        CallbackThreadInitializer keep = new CallbackThreadInitializer(true, false, "aoede-rbd-callback");
        Native.setCallbackThreadInitializer(COMPLETED, keep);
        Native.setCallbackThreadInitializer(UPDATED, keep);
    }

    /** The stores open in this JVM: a second writer of an overlapping window of one image is refused. */
    private static final java.util.Set<RbdStore> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final RbdSpec rbd;
    private final StoreSpec spec;
    private final long cluster;
    private final long ioctx;
    private final long image;
    private final long id;
    private final long watch;
    private final long offset;
    private final long length;
    private final boolean readOnly;
    private volatile long sectors;
    private volatile Runnable resized;
    private volatile Runnable fencedListener;
    /** The lock's owner as the cluster named this store when it took the lock. */
    private volatile String owner;
    /** Set when the cluster refused this client's I/O (-ESHUTDOWN: blocklisted); for good. */
    private volatile boolean fenced;
    private volatile boolean closed;
    /** Requests of this store in flight. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ThreadLocal<Memory> bounce = new ThreadLocal<>();
    final LongAdder errors = new LongAdder();

    /** One request in flight: its request and native buffer, reused. */
    static final class Slot {
        final int index;
        RbdStore store;
        volatile IoRequest request;
        int kind;
        int bytes;
        Memory buf;

        Slot(int index) {
            this.index = index;
        }
    }

    private RbdStore(RbdSpec rbd, StoreSpec spec, long cluster, long ioctx, long image, long id, long watch,
                     long imageBytes) {
        this.rbd = rbd;
        this.spec = spec;
        this.cluster = cluster;
        this.ioctx = ioctx;
        this.image = image;
        this.id = id;
        this.watch = watch;
        this.offset = spec.offsetSectors() * SECTOR;
        this.length = spec.lengthSectors();
        this.readOnly = spec.readOnly();
        this.sectors = window(imageBytes);
    }

    /** Refusals that need no cluster: the spec's syntax, its files, the window's settings. */
    static RbdSpec checkSpec(StoreSpec spec) throws IOException {
        RbdSpec rbd = RbdSpec.parse(spec.file().toString());
        if (spec.direct()) {
            throw new Invalid("direct", "is for files and block devices; an RBD image has no page cache here "
                    + "(librbd's cache is off)");
        }
        if (spec.offsetSectors() < 0) {
            throw new Invalid("offset", "must not be negative");
        }
        if (spec.lengthSectors() < 0) {
            throw new Invalid("length", "must not be negative");
        }
        if (!Files.isReadable(rbd.conf())) {
            throw new Invalid("file", "'" + rbd + "': the Ceph configuration " + rbd.conf()
                    + (Files.exists(rbd.conf()) ? " is not readable" : " does not exist") + " (conf=PATH)");
        }
        if (rbd.keyring() != null && !Files.isReadable(rbd.keyring())) {
            throw new Invalid("file", "'" + rbd + "': the keyring " + rbd.keyring()
                    + (Files.exists(rbd.keyring()) ? " is not readable" : " does not exist") + " (keyring=PATH)");
        }
        Ceph.require();
        return rbd;
    }

    /** Refuses a spec whose window of the same image overlaps an open store's, unless both only read. */
    static void checkInUse(RbdSpec rbd, StoreSpec spec, StoreSpec replacing) throws Invalid {
        for (RbdStore o : OPEN) {
            if (o.spec.equals(replacing) || !o.rbd.pool().equals(rbd.pool()) || !o.rbd.image().equals(rbd.image())
                    || !o.rbd.conf().equals(rbd.conf())) {
                continue;
            }
            if (spec.readOnly() && o.readOnly) {
                continue;
            }
            long a0 = spec.offsetSectors();
            long a1 = spec.lengthSectors() == 0 ? Long.MAX_VALUE : a0 + spec.lengthSectors();
            long b0 = o.spec.offsetSectors();
            long b1 = o.length == 0 ? Long.MAX_VALUE : b0 + o.length;
            if (a0 < b1 && b0 < a1) {
                throw new Invalid("file", "'" + rbd + "' is in use by another export (" + o.describe() + ")");
            }
        }
    }

    /** Opens and closes the store: what {@link #open} would refuse, refused now (BlockStoreFactory.check). */
    static void probe(StoreSpec spec, StoreSpec replacing) throws IOException {
        open(spec, replacing).close();
    }

    public static RbdStore open(StoreSpec spec) throws IOException {
        return open(spec, null);
    }

    private static RbdStore open(StoreSpec spec, StoreSpec replacing) throws IOException {
        RbdSpec rbd = checkSpec(spec);
        checkInUse(rbd, spec, replacing);
        long[] out = new long[1];
        check(rbd, "create a client for " + rbd.client(), Rados.rados_create2(out, "ceph", rbd.client(), 0));
        long cluster = out[0];
        long ioctx = 0;
        long image = 0;
        long id = IDS.incrementAndGet();
        boolean ok = false;
        try {
            check(rbd, "read " + rbd.conf(), Rados.rados_conf_read_file(cluster, rbd.conf().toString()));
            if (rbd.keyring() != null) {
                set(rbd, cluster, "keyring", rbd.keyring().toString());
            }
            // Acknowledged writes must be on the OSDs (the aoe driver sends no FLUSH).
            set(rbd, cluster, "rbd_cache", "false");
            set(rbd, cluster, "client_mount_timeout", CONNECT_TIMEOUT);
            set(rbd, cluster, "rados_mon_op_timeout", CONNECT_TIMEOUT);
            set(rbd, cluster, "rados_osd_op_timeout", OP_TIMEOUT);
            set(rbd, cluster, "admin_socket", "");
            set(rbd, cluster, "log_to_stderr", "false");
            set(rbd, cluster, "err_to_stderr", "false");
            int rc = Rados.rados_connect(cluster);
            if (rc < 0) {
                throw new Invalid("file", "'" + rbd + "': cannot connect to the cluster of " + rbd.conf()
                        + " as " + rbd.client() + ": " + Ceph.error(rc));
            }
            rc = Rados.rados_ioctx_create(cluster, rbd.pool(), out);
            if (rc < 0) {
                throw new Invalid("file", "'" + rbd + "': pool '" + rbd.pool() + "': " + Ceph.error(rc));
            }
            ioctx = out[0];
            rc = spec.readOnly() ? Rbd.rbd_open_read_only(ioctx, rbd.image(), out, null)
                    : Rbd.rbd_open(ioctx, rbd.image(), out, null);
            if (rc < 0) {
                throw new Invalid("file", "'" + rbd + "': " + (rc == -2 ? "no image '" + rbd.image() + "' in pool '"
                        + rbd.pool() + "'" : "cannot open image: " + Ceph.error(rc)));
            }
            image = out[0];
            if (!spec.readOnly()) {
                requireExclusiveLock(rbd, image);
            }
            long[] size = new long[1];
            check(rbd, "read the image's size", Rbd.rbd_get_size(image, size));
            checkWindow(rbd, spec, size[0]);
            long[] handle = new long[1];
            rc = Rbd.rbd_update_watch(image, handle, UPDATED, id);
            if (rc < 0) {
                throw new IOException("'" + rbd + "': cannot watch the image for resizes: " + Ceph.error(rc));
            }
            RbdStore s = new RbdStore(rbd, spec, cluster, ioctx, image, id, handle[0], size[0]);
            BY_ID.put(id, s);
            OPEN.add(s);
            ok = true;
            LOG.info("opened {} ({} bytes, {})", rbd, size[0], spec.readOnly() ? "read-only" : "read-write");
            return s;
        } finally {
            if (!ok) {
                BY_ID.remove(id);
                if (image != 0) {
                    Rbd.rbd_close(image);
                }
                if (ioctx != 0) {
                    Rados.rados_ioctx_destroy(ioctx);
                }
                Rados.rados_shutdown(cluster);
            }
        }
    }

    /** {@code RBD_FEATURE_EXCLUSIVE_LOCK} of librbd's features.h. */
    static final long FEATURE_EXCLUSIVE_LOCK = 1L << 2;

    /**
     * A writable export serves only while it holds the image's exclusive lock (failover, fencing):
     * without the feature there is no such lock, so refuse now, saying how to turn it on. A
     * read-only export takes no lock and needs no feature.
     */
    private static void requireExclusiveLock(RbdSpec rbd, long image) throws IOException {
        long[] features = new long[1];
        check(rbd, "read the image's features", Rbd.rbd_get_features(image, features));
        if ((features[0] & FEATURE_EXCLUSIVE_LOCK) == 0) {
            throw new Invalid("file", "'" + rbd + "': " + NEEDS_EXCLUSIVE_LOCK + rbd.pool() + "/" + rbd.image()
                    + " exclusive-lock (or read-only = true: a read-only export takes no lock)");
        }
    }

    static final String NEEDS_EXCLUSIVE_LOCK =
            "a writable export needs the image's exclusive-lock feature: rbd feature enable ";

    private static void checkWindow(RbdSpec rbd, StoreSpec spec, long bytes) throws Invalid {
        long total = bytes / SECTOR;
        if (spec.offsetSectors() > total || spec.offsetSectors() == total && spec.lengthSectors() == 0) {
            throw new Invalid("offset", spec.offsetSectors() + " is past the end of " + rbd + " (" + total + " sectors)");
        }
        if (spec.lengthSectors() > 0 && spec.offsetSectors() + spec.lengthSectors() > total) {
            throw new Invalid("length", "offset + length = " + (spec.offsetSectors() + spec.lengthSectors())
                    + " is past the end of " + rbd + " (" + total + " sectors)");
        }
    }

    private long window(long imageBytes) {
        long total = imageBytes / SECTOR;
        if (length > 0) {
            return Math.max(0, Math.min(length, total - offset / SECTOR));
        }
        return Math.max(0, total - offset / SECTOR);
    }

    private static void set(RbdSpec rbd, long cluster, String key, String value) throws IOException {
        check(rbd, "set " + key, Rados.rados_conf_set(cluster, key, value));
    }

    private static void check(RbdSpec rbd, String what, long rc) throws IOException {
        if (rc < 0) {
            throw new IOException("'" + rbd + "': cannot " + what + ": " + Ceph.error(rc));
        }
    }

    // ---- the resize watch ---------------------------------------------------------------

    private static void updated(long arg) {
        RbdStore s = BY_ID.get(arg);
        if (s != null) {
            WATCH.execute(s::refreshSize);
        }
    }

    private void refreshSize() {
        long now;
        long was;
        synchronized (this) {                      // not while close() closes the image
            if (closed) {
                return;
            }
            long[] size = new long[1];
            int rc = Rbd.rbd_get_size(image, size);
            if (rc < 0) {
                LOG.warn("{}: cannot read the size after an update: {}", rbd, Ceph.error(rc));
                fencedIf(rc);
                return;
            }
            now = window(size[0]);
            was = sectors;
            sectors = now;
        }
        if (now != was) {
            LOG.info("{}: resized, the export has {} sectors (was {})", rbd, now, was);
            Runnable r = resized;
            if (r != null && !closed) {
                r.run();                           // outside the lock: the listener takes the target's
            }
        }
    }

    @Override
    public void onResize(Runnable listener) {
        resized = listener;
    }

    // ---- BlockStore --------------------------------------------------------------------------

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    /** True: the export's I/O threads make the blocking calls until its data path submits. */
    @Override
    public boolean asynchronous() {
        return true;
    }

    @Override
    public boolean submits() {
        return true;
    }

    private long position(long lba, long bytes) throws IOException {
        if (lba < 0 || lba * SECTOR + bytes > sectors * SECTOR) {
            throw new IOException(describe() + ": sectors " + lba + "+" + bytes / SECTOR + " past the end ("
                    + sectors + ")");
        }
        return offset + lba * SECTOR;
    }

    private Memory bounce(int bytes) {
        Memory m = bounce.get();
        if (m == null || m.size() < bytes) {
            m = new Memory(Math.max(bytes, 64 * 1024));
            bounce.set(m);
        }
        return m;
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        long pos = position(lba, n);
        Pointer p = dst.isDirect() ? Native.getDirectBufferPointer(dst).share(dst.position()) : bounce(n);
        long rc = Rbd.rbd_read(image, pos, n, p);
        if (rc != n) {
            errors.increment();
            fencedIf(rc);
            throw new IOException(describe() + ": read of " + n + " bytes at sector " + lba + " failed: "
                    + (rc < 0 ? Ceph.error(rc) : "short read of " + rc));
        }
        if (dst.isDirect()) {
            dst.position(dst.position() + n);
        } else {
            p.read(0, dst.array(), dst.arrayOffset() + dst.position(), n);
            dst.position(dst.position() + n);
        }
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException(describe() + " is read-only");
        }
        int n = src.remaining();
        long pos = position(lba, n);
        Pointer p;
        if (src.isDirect()) {
            p = Native.getDirectBufferPointer(src).share(src.position());
        } else {
            p = bounce(n);
            p.write(0, src.array(), src.arrayOffset() + src.position(), n);
        }
        long rc = Rbd.rbd_write(image, pos, n, p);
        if (rc != n) {
            errors.increment();
            fencedIf(rc);
            throw new IOException(describe() + ": write of " + n + " bytes at sector " + lba + " failed: "
                    + (rc < 0 ? Ceph.error(rc) : "short write of " + rc));
        }
        src.position(src.position() + n);
    }

    @Override
    public void flush() throws IOException {
        int rc = Rbd.rbd_flush(image);
        if (rc < 0) {
            errors.increment();
            fencedIf(rc);
            throw new IOException(describe() + ": flush failed: " + Ceph.error(rc));
        }
    }

    // ---- submission --------------------------------------------------------------------------

    private Slot slot() {
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            return null;
        }
        Slot s = FREE.poll();
        if (s == null) {
            int i = SLOT_COUNT.getAndIncrement();
            if (i >= SLOTS.length) {
                inFlight.decrementAndGet();
                return null;
            }
            s = new Slot(i);
            SLOTS[i] = s;
        }
        s.store = this;
        return s;
    }

    @Override
    public void submit(IoRequest r) {
        int kind = r.kind();
        if (closed) {
            r.completed(new IOException(describe() + " is closed"));
            return;
        }
        if (kind == WRITE && readOnly) {
            r.completed(new IOException(describe() + " is read-only"));
            return;
        }
        long pos = 0;
        int n = 0;
        if (kind != IoRequest.FLUSH) {
            n = r.count() * SECTOR;
            try {
                pos = position(r.lba(), n);
            } catch (IOException e) {
                r.completed(e);
                return;
            }
        }
        Slot s = slot();
        if (s == null) {
            r.completed(new IOException(describe() + ": more than " + MAX_IN_FLIGHT + " requests in flight"));
            return;
        }
        if (n > 0 && (s.buf == null || s.buf.size() < n)) {
            s.buf = new Memory(Math.max(n, 16 * 1024));
        }
        if (kind == WRITE) {
            ByteBuffer d = r.data();
            s.buf.write(0, d.array(), d.arrayOffset() + d.position(), n);
        }
        s.kind = kind;
        s.bytes = n;
        s.request = r;                             // last: the callback thread reads it first
        long[] c = new long[1];
        int rc = Rbd.rbd_aio_create_completion(s.index, COMPLETED, c);
        if (rc < 0) {
            release(s);
            errors.increment();
            r.completed(new IOException(describe() + ": cannot start a request: " + Ceph.error(rc)));
            return;
        }
        rc = switch (kind) {
            case READ -> Rbd.rbd_aio_read(image, pos, n, s.buf, c[0]);
            case WRITE -> Rbd.rbd_aio_write(image, pos, n, s.buf, c[0]);
            default -> Rbd.rbd_aio_flush(image, c[0]);
        };
        if (rc < 0) {
            Rbd.rbd_aio_release(c[0]);
            release(s);
            errors.increment();
            r.completed(new IOException(describe() + ": cannot start a " + kindName(kind) + ": " + Ceph.error(rc)));
        }
    }

    private void release(Slot s) {
        s.request = null;
        s.store = null;
        inFlight.decrementAndGet();
        FREE.offer(s);
    }

    private static String kindName(int kind) {
        return kind == READ ? "read" : kind == WRITE ? "write" : "flush";
    }

    /** librbd's callback thread: the request is done. */
    private static void completed(long completion, long arg) {
        long rc = Rbd.rbd_aio_get_return_value(completion);
        Rbd.rbd_aio_release(completion);
        Slot s = SLOTS[(int) arg];
        RbdStore store = s.store;
        IoRequest r = s.request;
        IOException error = null;
        if (rc < 0 || s.kind == READ && rc != s.bytes) {
            store.errors.increment();
            store.fencedIf(rc);
            error = new IOException(store.describe() + ": " + kindName(s.kind) + " of " + s.bytes / SECTOR
                    + " sectors failed: " + (rc < 0 ? Ceph.error(rc) : "short read of " + rc + " bytes"));
        } else if (s.kind == READ) {
            ByteBuffer d = r.data();
            s.buf.read(0, d.array(), d.arrayOffset() + d.position(), s.bytes);
            d.position(d.position() + s.bytes);
        }
        store.release(s);
        r.completed(error);
    }

    // ---- the image's exclusive lock (failover) ---------------------------------------------------

    /** Metadata key naming the appliance that took the lock ({@code conf_} keys would be librbd settings). */
    static final String HOLDER_KEY = "aoede.holder";
    private static final int ESHUTDOWN = 108;

    /** -ESHUTDOWN: the cluster blocklisted this client (another appliance broke its lock). */
    private void fencedIf(long rc) {
        if (rc == -ESHUTDOWN && !fenced) {
            fenced = true;
            LOG.warn("{}: the cluster refuses this client's I/O (blocklisted): another appliance took the image", rbd);
            Runnable r = fencedListener;
            if (r != null) {
                WATCH.execute(r);
            }
        }
    }

    @Override
    public List<String> lockOwners() throws IOException {
        int[] mode = new int[1];
        long[] max = {8};
        Memory owners = new Memory(8L * max[0]);
        int rc = Rbd.rbd_lock_get_owners(image, mode, owners, max);
        if (rc == -2) {
            return List.of();                      // ENOENT: nobody holds it
        }
        if (rc < 0) {
            fencedIf(rc);
            throw new IOException(rbd + ": cannot read the lock's owners: " + Ceph.error(rc) + (rc == -22
                    ? " (" + NEEDS_EXCLUSIVE_LOCK + rbd.pool() + "/" + rbd.image() + " exclusive-lock)" : ""));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < max[0]; i++) {
            out.add(owners.getPointer(8L * i).getString(0));
        }
        Rbd.rbd_lock_get_owners_cleanup(owners, max[0]);
        return out;
    }

    @Override
    public void lock() throws IOException {
        int rc = Rbd.rbd_lock_acquire(image, Rbd.LOCK_EXCLUSIVE);
        if (rc < 0) {
            fencedIf(rc);
            throw new IOException(rbd + ": cannot take the image's exclusive lock: " + (rc == -30
                    ? "another client holds it" : Ceph.error(rc)));
        }
        List<String> mine = lockOwners();
        String host = hostName();
        if (mine.size() == 1) {
            owner = mine.get(0);
            rc = Rbd.rbd_metadata_set(image, HOLDER_KEY, mine.get(0) + " " + host);
            if (rc < 0) {
                LOG.warn("{}: cannot note the lock's holder in the image's metadata: {}", rbd, Ceph.error(rc));
            }
        }
        LOG.info("{}: took the image's exclusive lock", rbd);
    }

    @Override
    public void breakLock(String owner) throws IOException {
        int rc = Rbd.rbd_lock_break(image, Rbd.LOCK_EXCLUSIVE, owner);
        if (rc < 0 && rc != -2) {
            fencedIf(rc);
            throw new IOException(rbd + ": cannot break the lock of " + owner + ": " + Ceph.error(rc));
        }
        LOG.warn("{}: broke the lock of {}: the cluster fences it (blocklist)", rbd, owner);
    }

    @Override
    public void unlock() throws IOException {
        int rc = Rbd.rbd_lock_release(image);
        if (rc < 0) {
            throw new IOException(rbd + ": cannot release the image's lock: " + Ceph.error(rc));
        }
        owner = null;
        LOG.info("{}: released the image's exclusive lock", rbd);
    }

    /**
     * librbd's own view ({@code rbd_is_exclusive_lock_owner}) and the cluster's: the lock's owner is
     * still the one this store became. librbd may not have noticed yet that its lock was broken; a
     * blocklisted client's question to the cluster fails with ESHUTDOWN.
     */
    @Override
    public boolean ownsLock() {
        if (fenced || closed) {
            return false;
        }
        int[] isOwner = new int[1];
        int rc = Rbd.rbd_is_exclusive_lock_owner(image, isOwner);
        if (rc < 0) {
            fencedIf(rc);
            return false;
        }
        if (isOwner[0] == 0) {
            return false;
        }
        String mine = owner;
        try {
            return mine == null || lockOwners().contains(mine);
        } catch (IOException e) {
            return !fenced;                        // blocklisted: no; the cluster slow or away: librbd's view
        }
    }

    @Override
    public void onFenced(Runnable listener) {
        fencedListener = listener;
    }

    @Override
    public String shared(String key) throws IOException {
        long[] len = {1024};
        for (int attempt = 0; attempt < 3; attempt++) {
            Memory v = new Memory(len[0] + 1);
            long size = len[0];
            int rc = Rbd.rbd_metadata_get(image, key, v, len);
            if (rc == -2) {
                return null;
            }
            if (rc == -34 && len[0] > size) {      // ERANGE: len says how much is needed
                continue;
            }
            if (rc < 0) {
                fencedIf(rc);
                throw new IOException(rbd + ": cannot read metadata " + key + ": " + Ceph.error(rc));
            }
            return v.getString(0);
        }
        throw new IOException(rbd + ": metadata " + key + " keeps growing");
    }

    @Override
    public void share(String key, String value) throws IOException {
        int rc = Rbd.rbd_metadata_set(image, key, value);
        if (rc < 0) {
            fencedIf(rc);
            throw new IOException(rbd + ": cannot write metadata " + key + ": " + Ceph.error(rc));
        }
    }

    /** {@code HOST (owner)} when the image's metadata says which appliance took the lock as {@code owner}. */
    @Override
    public String describeOwner(String owner) {
        Memory v = new Memory(256);
        long[] len = {256};
        int rc = Rbd.rbd_metadata_get(image, HOLDER_KEY, v, len);
        if (rc < 0) {
            return owner;
        }
        String s = v.getString(0);
        return s.startsWith(owner + " ") ? s.substring(owner.length() + 1) + " (" + owner + ")" : owner;
    }

    /** {@code appliance HOST pid N}: two appliances on one machine differ by their process. */
    private static String hostName() {
        String host;
        try {
            host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            host = "?";
        }
        return "appliance " + host + " pid " + ProcessHandle.current().pid();
    }

    @Override
    public Map<String, Long> statistics() {
        return Map.of("rbd-errors", errors.sum());
    }

    @Override
    public String describe() {
        String w = spec.offsetSectors() == 0 && length == 0 ? ""
                : " window " + spec.offsetSectors() + "+" + (length == 0 ? "end" : length);
        return rbd + w + (readOnly ? " (read-only)" : "");
    }

    /** As opened: the factory's check compares an edit with it. */
    StoreSpec spec() {
        return spec;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        resized = null;
        fencedListener = null;
        BY_ID.remove(id);
        OPEN.remove(this);
        Rbd.rbd_update_unwatch(image, watch);
        int rc = Rbd.rbd_close(image);                 // waits for requests still in flight
        Rados.rados_ioctx_destroy(ioctx);
        Rados.rados_shutdown(cluster);
        LOG.info("closed {}", rbd);
        if (rc < 0) {
            throw new IOException(describe() + ": close failed: " + Ceph.error(rc));
        }
    }
}
