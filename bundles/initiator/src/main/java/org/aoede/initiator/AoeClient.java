package org.aoede.initiator;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Reserve;
import org.aoede.transport.pcap.PcapLink;

/**
 * An AoE initiator on one interface. Requests are matched to replies by tag; every tag has bit 31
 * set (userland initiator) and every retransmission gets a fresh tag, so a late reply to an earlier
 * try is recognised as stale and dropped instead of completing the wrong request. Requests are
 * asynchronous: up to {@link Options#window} ATA requests are in flight at once, further submits
 * block the submitting thread. Never submit from a completion callback: those run on the receive
 * thread, which is the one that frees the window.
 */
public final class AoeClient implements FrameHandler, AutoCloseable {

    /** Retransmit and pipelining settings. */
    public static final class Options {
        /** First retransmit timeout; doubles on each retry up to {@link #maxTimeoutMs}. */
        public long timeoutMs = 250;
        public long maxTimeoutMs = 2000;
        /** Sends per request, the first one included. */
        public int tries = 8;
        /** ATA requests in flight at once (the queue depth). */
        public int window = 16;
    }

    public record Directive(int command, long mac) {
    }

    public record MaskReply(int subcommand, int merror, List<Directive> list) {
    }

    private static final long TICK_MS = 5;

    private final Options options;
    private final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextTag = new AtomicInteger((int) (System.nanoTime() & 0xffff));
    private final AtomicLong retransmits = new AtomicLong();
    private final AtomicLong staleReplies = new AtomicLong();
    private final Semaphore window;
    private final ScheduledExecutorService timer;
    private final CountDownLatch up = new CountDownLatch(1);
    private volatile Link link;
    private volatile boolean closed;

    /** A client on an already open link (tests pass a fake one); the link must hand its frames to {@link #onFrame}. */
    public AoeClient(Link link, Options options) {
        this(options);
        this.link = link;
        up.countDown();
    }

    private AoeClient(Options options) {
        this.options = options;
        this.window = new Semaphore(Math.max(1, options.window));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aoede-initiator-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Opens {@code ifname} through libpcap and waits until it is up. */
    public static AoeClient open(String ifname, Options options) throws IOException {
        AoeClient c = new AoeClient(options);
        PcapLink l = new PcapLink(ifname, c, 8 << 20);
        c.link = l;
        l.start();
        try {
            if (!c.up.await(10, TimeUnit.SECONDS)) {
                c.close();
                throw new IOException("interface " + ifname + " did not come up (missing, down, or no permission)");
            }
        } catch (InterruptedException e) {
            c.close();
            throw new InterruptedIOException();
        }
        return c;
    }

    public long retransmits() {
        return retransmits.get();
    }

    /** Replies whose tag was no longer pending: answers to an earlier try, or duplicates. */
    public long staleReplies() {
        return staleReplies.get();
    }

    public Link link() {
        return link;
    }

    /**
     * Sectors per ATA frame: the target's advertised count, further limited by this side's MTU
     * (the Linux driver likewise takes the minimum over the path).
     */
    public int sectorsPerFrame(Target t) {
        int mine = link.mtu() > 0 ? Math.max(1, Ata.maxSectors(link.mtu())) : Integer.MAX_VALUE;
        return Math.min(t.maxSectors(), mine);
    }

    // ---- control commands ----

    /**
     * Broadcasts a query config to {@code shelf.slot} (0xffff.0xff for everyone) and collects every
     * reply that arrives within {@code waitMs}; one entry per (MAC, shelf, slot).
     */
    public List<Target> discover(int shelf, int slot, long waitMs) throws IOException {
        List<Target> found = Collections.synchronizedList(new ArrayList<>());
        ByteBuffer f = frame(Mac.BROADCAST, shelf, slot, Aoe.CMD_CONFIG, Config.HEADER);
        Config.putHeader(f, 0, 0, 0, Config.READ, 0);
        Consumer<ByteBuffer> collect = r -> {
            Target t = Target.fromReply(r);
            synchronized (found) {
                if (found.stream().noneMatch(x -> x.mac() == t.mac() && x.shelf() == t.shelf() && x.slot() == t.slot())) {
                    found.add(t);
                }
            }
        };
        await(submit(f, 1, false, collect, waitMs));
        synchronized (found) {
            return new ArrayList<>(found);
        }
    }

    /** Finds one export by a broadcast query config; throws {@link NoReplyException} if nobody answers. */
    public Target find(int shelf, int slot) throws IOException {
        return config(Mac.BROADCAST, shelf, slot, Config.READ, new byte[0], options.tries);
    }

    /**
     * A query config command with a subcommand (read, test exact, test prefix, set, force set). A
     * target that does not match a test stays silent: that shows as {@link NoReplyException}.
     */
    public Target config(long dst, int shelf, int slot, int subcommand, byte[] string, int tries) throws IOException {
        ByteBuffer f = frame(dst, shelf, slot, Aoe.CMD_CONFIG, Config.HEADER + string.length);
        Config.put(f, 0, 0, 0, subcommand, string);
        return Target.fromReply(await(submit(f, tries, false, null, 0)));
    }

    /** MAC mask list: read (no directives) or edit; returns the target's merror and list. */
    public MaskReply mask(Target t, int subcommand, List<Directive> directives) throws IOException {
        ByteBuffer f = frame(t.mac(), t.shelf(), t.slot(), Aoe.CMD_MASK, MacMask.HEADER + directives.size() * MacMask.DIRECTIVE);
        MacMask.putHeader(f, subcommand, 0, directives.size());
        for (int i = 0; i < directives.size(); i++) {
            MacMask.putDirective(f, i, directives.get(i).command(), directives.get(i).mac());
        }
        ByteBuffer r = await(submit(f, options.tries, false, null, 0));
        List<Directive> list = new ArrayList<>();
        int n = Math.min(MacMask.directiveCount(r), Math.max(0, (r.limit() - MacMask.HEADER) / MacMask.DIRECTIVE));
        for (int i = 0; i < n; i++) {
            list.add(new Directive(MacMask.directiveCommand(r, i), MacMask.directiveMac(r, i)));
        }
        return new MaskReply(MacMask.subcommand(r), MacMask.maskError(r), list);
    }

    /** Reserve/release: read (0), set (1) or force set (2); an empty set releases. Returns the reservation list. */
    public long[] reserve(Target t, int subcommand, long[] macs) throws IOException {
        ByteBuffer f = frame(t.mac(), t.shelf(), t.slot(), Aoe.CMD_RESERVE, Reserve.HEADER + 6 * macs.length);
        Reserve.put(f, subcommand, macs);
        ByteBuffer r = await(submit(f, options.tries, false, null, 0));
        int n = Math.min(Reserve.count(r), Math.max(0, (r.limit() - Reserve.HEADER) / 6));
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = Reserve.mac(r, i);
        }
        return out;
    }

    // ---- ATA ----

    /** Any ATA command; {@code len} bytes of {@code data} go after the ATA header (writes). ERR is not an exception here. */
    public CompletableFuture<AtaReply> ataAsync(Target t, int aflags, int feature, int count, int command, long lba,
                                                byte[] data, int off, int len) throws IOException {
        ByteBuffer f = frame(t.mac(), t.shelf(), t.slot(), Aoe.CMD_ATA, Ata.HEADER + len);
        Ata.putHeader(f, aflags, feature, count, command, lba);
        if (len > 0) {
            f.put(Ata.DATA, data, off, len);
        }
        return submit(f, options.tries, true, null, 0).thenApply(r -> {
            byte[] d = new byte[Ata.dataLength(r.limit())];
            r.get(Ata.DATA, d);
            return new AtaReply(Ata.status(r), Ata.errorReg(r), Ata.sectorCount(r), Ata.rawLba(r), d);
        });
    }

    public AtaReply ata(Target t, int aflags, int feature, int count, int command, long lba, byte[] data) throws IOException {
        return await(ataAsync(t, aflags, feature, count, command, lba, data, 0, data == null ? 0 : data.length));
    }

    public Identify identify(Target t) throws IOException {
        AtaReply r = ata(t, 0, 0, 1, Ata.CMD_IDENTIFY, 0, null);
        check("IDENTIFY", r);
        return Identify.parse(r.data());
    }

    public void flush(Target t) throws IOException {
        check("FLUSH CACHE EXT", ata(t, Ata.AFLAG_EXTENDED, 0, 0, Ata.CMD_FLUSH_EXT, 0, null));
    }

    /** Reads {@code count} sectors at {@code lba}, split into frames of the target's sector count. */
    public CompletableFuture<byte[]> readAsync(Target t, long lba, int count) throws IOException {
        byte[] out = new byte[count * Ata.SECTOR];
        int spf = sectorsPerFrame(t);
        List<CompletableFuture<?>> parts = new ArrayList<>();
        for (int done = 0; done < count; ) {
            int n = Math.min(spf, count - done);
            long at = lba + done;
            int dst = done * Ata.SECTOR;
            parts.add(ataAsync(t, Ata.AFLAG_EXTENDED, 0, n, Ata.CMD_READ_EXT, at, null, 0, 0).thenAccept(r -> {
                checkUnchecked("READ at LBA " + at, r);
                if (r.data().length < n * Ata.SECTOR) {
                    throw new java.util.concurrent.CompletionException(new IOException(
                            "short read at LBA " + at + ": " + r.data().length + " bytes for " + n + " sectors"));
                }
                System.arraycopy(r.data(), 0, out, dst, n * Ata.SECTOR);
            }));
            done += n;
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> out);
    }

    /** Writes {@code count} sectors from {@code buf[off..]} at {@code lba}, split like {@link #readAsync}. */
    public CompletableFuture<Void> writeAsync(Target t, long lba, byte[] buf, int off, int count) throws IOException {
        int spf = sectorsPerFrame(t);
        List<CompletableFuture<?>> parts = new ArrayList<>();
        for (int done = 0; done < count; ) {
            int n = Math.min(spf, count - done);
            long at = lba + done;
            parts.add(ataAsync(t, Ata.AFLAG_EXTENDED | Ata.AFLAG_WRITE, 0, n, Ata.CMD_WRITE_EXT, at,
                    buf, off + done * Ata.SECTOR, n * Ata.SECTOR)
                    .thenAccept(r -> checkUnchecked("WRITE at LBA " + at, r)));
            done += n;
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    public byte[] read(Target t, long lba, int count) throws IOException {
        return await(readAsync(t, lba, count));
    }

    public void write(Target t, long lba, byte[] buf, int count) throws IOException {
        await(writeAsync(t, lba, buf, 0, count));
    }

    private static void check(String what, AtaReply r) throws AtaErrorException {
        if (r.failed()) {
            throw new AtaErrorException(what, r.status(), r.error());
        }
    }

    private static void checkUnchecked(String what, AtaReply r) {
        if (r.failed()) {
            throw new java.util.concurrent.CompletionException(new AtaErrorException(what, r.status(), r.error()));
        }
    }

    /** Waits for a future and rethrows its cause as the IOException it is. */
    public static <T> T await(CompletableFuture<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        } catch (ExecutionException e) {
            throw asIo(e.getCause());
        }
    }

    /** Unwraps CompletionException layers down to an IOException. */
    public static IOException asIo(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof IOException io ? io : new IOException(e.toString(), e);
    }

    // ---- tags, sending, retransmits ----

    /** A request in flight. Its tag changes on every retransmit; the map key is always the current tag. */
    private final class Pending {
        final ByteBuffer frame;
        final int tries;
        final boolean windowed;
        /** Non-null for broadcast collection: every reply goes here; the request ends at its deadline. */
        final Consumer<ByteBuffer> collector;
        final CompletableFuture<ByteBuffer> future = new CompletableFuture<>();
        int tag;
        int sent;
        long timeoutNanos;
        volatile long deadline;

        Pending(ByteBuffer frame, int tries, boolean windowed, Consumer<ByteBuffer> collector) {
            this.frame = frame;
            this.tries = Math.max(1, tries);
            this.windowed = windowed;
            this.collector = collector;
        }
    }

    /** A zeroed request frame of at least the Ethernet minimum, common header written, tag still 0. */
    private ByteBuffer frame(long dst, int shelf, int slot, int command, int length) {
        ByteBuffer f = ByteBuffer.allocate(Math.max(length, Aoe.MIN_FRAME));
        Aoe.putHeader(f, dst, link.mac(), 0, 0, shelf, slot, command, 0);
        return f;
    }

    private int newTag() {
        return Aoe.TAG_USERLAND | (nextTag.getAndIncrement() & 0x7fff_ffff);
    }

    /** Registers a request under a fresh tag and sends it; {@code collectMs} > 0 is the collection window. */
    private CompletableFuture<ByteBuffer> submit(ByteBuffer f, int tries, boolean windowed, Consumer<ByteBuffer> collector,
                                                 long collectMs) throws IOException {
        if (closed) {
            throw new IOException("client closed");
        }
        if (windowed) {
            try {
                window.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }
        Pending p = new Pending(f, tries, windowed, collector);
        p.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(collector != null ? collectMs : options.timeoutMs);
        p.sent = 1;
        p.deadline = System.nanoTime() + p.timeoutNanos;  // before it is visible to the timer
        register(p);
        link.send(f.duplicate());  // a failed send is just a lost frame: the retransmit covers it
        return p.future;
    }

    private void register(Pending p) {
        int tag;
        do {
            tag = newTag();
        } while (pending.putIfAbsent(tag, p) != null);
        p.tag = tag;
        Aoe.setTag(p.frame, tag);
    }

    private void tick() {
        long now = System.nanoTime();
        for (Pending p : pending.values()) {
            if (now - p.deadline < 0) {
                continue;
            }
            if (p.collector != null || p.sent >= p.tries) {
                if (pending.remove(p.tag, p)) {
                    if (p.collector != null) {
                        end(p, null, null);
                    } else {
                        end(p, null, new NoReplyException(String.format("no reply from %d.%d after %d tries",
                                Aoe.shelf(p.frame), Aoe.slot(p.frame), p.sent)));
                    }
                }
                continue;
            }
            // Retransmit under a new tag; if the reply won the race for the old tag, it is done.
            if (!pending.remove(p.tag, p)) {
                continue;
            }
            register(p);
            p.sent++;
            p.timeoutNanos = Math.min(p.timeoutNanos * 2, TimeUnit.MILLISECONDS.toNanos(options.maxTimeoutMs));
            p.deadline = now + p.timeoutNanos;
            retransmits.incrementAndGet();
            link.send(p.frame.duplicate());
        }
    }

    private void end(Pending p, ByteBuffer reply, Throwable failure) {
        if (p.windowed) {
            window.release();
        }
        if (failure != null) {
            p.future.completeExceptionally(failure);
        } else {
            p.future.complete(reply);
        }
    }

    @Override
    public void linkUp(Link l) {
        up.countDown();
    }

    @Override
    public void onFrame(Link l, ByteBuffer frame) {
        if (!Aoe.isAoe(frame) || !Aoe.isResponse(frame)) {
            return;
        }
        int tag = Aoe.tag(frame);
        if ((tag & Aoe.TAG_USERLAND) == 0) {
            return;  // unsolicited advertisements (tag 0) and other initiators' traffic
        }
        Pending p = pending.get(tag);
        if (p == null || Aoe.command(frame) != Aoe.command(p.frame)) {
            staleReplies.incrementAndGet();
            return;
        }
        // The frame is only valid during this call; short frames (no padding on veth) are fine.
        ByteBuffer copy = ByteBuffer.allocate(frame.limit());
        copy.put(0, frame, 0, frame.limit());
        if (p.collector != null) {
            p.collector.accept(copy);
            return;
        }
        if (!pending.remove(tag, p)) {
            staleReplies.incrementAndGet();
            return;
        }
        end(p, copy, Aoe.isError(copy) ? new AoeErrorException(Aoe.error(copy)) : null);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        Link l = link;
        if (l != null) {
            l.close();
        }
        for (Pending p : pending.values()) {
            if (pending.remove(p.tag, p)) {
                end(p, null, new IOException("client closed"));
            }
        }
    }
}
