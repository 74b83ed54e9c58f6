package org.aoede.initiator;

import org.aoede.protocol.Crc8x4;

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
import org.aoede.protocol.CoalescedRead;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Negotiate;
import org.aoede.protocol.Reserve;
import org.aoede.transport.afpacket.AfPacketLink;
import org.aoede.transport.pcap.PcapLink;

/**
 * An AoE initiator on one interface. Requests are matched to replies by tag; every tag has bit 31
 * set (userland initiator) and every retransmission gets a fresh tag, so a late reply to an earlier
 * try is recognised as stale and dropped instead of completing the wrong request. Requests are
 * asynchronous: up to {@link Options#window} ATA requests are in flight at once, further submits
 * block the submitting thread. Never submit from a completion callback: those run on the receive
 * thread, which is the one that frees the window. Faults made on purpose for tests (duplicates,
 * reordering, bad CRCs) are a {@link FaultyLink} between it and the real link.
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
    /**
     * shelf.slot → the MAC that last advertised it unasked (a config reply with tag 0: a standby
     * appliance that took the disk over). Requests to that address go there from then on, and so
     * do retransmits of requests sent before, as the Linux driver moves them to the path that answers.
     */
    private final ConcurrentHashMap<Integer, Long> movedTo = new ConcurrentHashMap<>();
    /** Starts anywhere in the 31 bits: several initiators on one interface (they all see every reply) rarely share tags. */
    private final AtomicInteger nextTag = new AtomicInteger(java.util.concurrent.ThreadLocalRandom.current().nextInt());
    private final AtomicLong retransmits = new AtomicLong();
    private final AtomicLong staleReplies = new AtomicLong();
    // ---- CRC8x4 (extension crc8x4): exports (shelf << 8 | slot) this client exchanges CRCs with ----
    private final java.util.Set<Integer> crcExports = ConcurrentHashMap.newKeySet();
    private final AtomicLong crcChecked = new AtomicLong();
    private final AtomicLong crcErrors = new AtomicLong();
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
        return open(ifname, options, "pcap");
    }

    /**
     * Opens {@code ifname} through {@code transport}: {@code pcap} (libpcap through pcap4j, portable)
     * or {@code afpacket} (native Linux AF_PACKET sockets: recvmmsg receive, one send per request;
     * several times pcap4j's send rate), and waits until it is up.
     */
    public static AoeClient open(String ifname, Options options, String transport) throws IOException {
        return open(options, client -> openLink(ifname, transport, client));
    }

    /** Opens and starts a link that hands the frames it receives to a handler (the client). */
    @FunctionalInterface
    public interface LinkOpener {
        Link open(FrameHandler handler) throws IOException;
    }

    /**
     * A client on the link {@code opener} opens for it (a {@link FaultyLink} over a real one, say);
     * waits until the link is up.
     */
    public static AoeClient open(Options options, LinkOpener opener) throws IOException {
        AoeClient c = new AoeClient(options);
        try {
            c.link = opener.open(c);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        try {
            if (!c.up.await(10, TimeUnit.SECONDS)) {
                c.close();
                throw new IOException("interface " + c.link.name() + " did not come up (missing, down, or no permission)");
            }
        } catch (InterruptedException e) {
            c.close();
            throw new InterruptedIOException();
        }
        return c;
    }

    /** Opens and starts {@code ifname} through {@code transport} ({@code pcap} or {@code afpacket}). */
    public static Link openLink(String ifname, String transport, FrameHandler handler) {
        switch (transport) {
            case "pcap": {
                PcapLink l = new PcapLink(ifname, handler, 8 << 20);
                l.start();
                return l;
            }
            case "afpacket": {
                AfPacketLink l = new AfPacketLink(ifname, handler, 8 << 20);
                l.start();
                return l;
            }
            default:
                throw new IllegalArgumentException("--transport must be pcap or afpacket, got '" + transport + "'");
        }
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
    public int sectorsPerFrame(TargetInfo t) {
        int mine = link.mtu() > 0 ? Math.max(1, Ata.maxSectors(link.mtu() - (crcOn(t) ? Crc8x4.BYTES : 0))) : Integer.MAX_VALUE;
        return Math.min(t.maxSectors(), mine);
    }

    // ---- control commands ----

    /**
     * Broadcasts a query config to {@code shelf.slot} (0xffff.0xff for everyone) and collects every
     * reply that arrives within {@code waitMs}; one entry per (MAC, shelf, slot).
     */
    public List<TargetInfo> discover(int shelf, int slot, long waitMs) throws IOException {
        List<TargetInfo> found = Collections.synchronizedList(new ArrayList<>());
        ByteBuffer f = frame(Mac.BROADCAST, shelf, slot, Aoe.CMD_CONFIG, Config.HEADER);
        Config.putHeader(f, 0, 0, 0, Config.READ, 0);
        Consumer<ByteBuffer> collect = r -> {
            TargetInfo t = TargetInfo.fromReply(r);
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
    public TargetInfo find(int shelf, int slot) throws IOException {
        return config(Mac.BROADCAST, shelf, slot, Config.READ, new byte[0], options.tries);
    }

    /**
     * A query config command with a subcommand (read, test exact, test prefix, set, force set). A
     * target that does not match a test stays silent: that shows as {@link NoReplyException}.
     */
    public TargetInfo config(long dst, int shelf, int slot, int subcommand, byte[] string, int tries) throws IOException {
        ByteBuffer f = frame(dst, shelf, slot, Aoe.CMD_CONFIG, Config.HEADER + string.length);
        Config.put(f, 0, 0, 0, subcommand, string);
        return TargetInfo.fromReply(await(submit(f, tries, false, null, 0)));
    }

    /** MAC mask list: read (no directives) or edit; returns the target's merror and list. */
    public MaskReply mask(TargetInfo t, int subcommand, List<Directive> directives) throws IOException {
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
    public long[] reserve(TargetInfo t, int subcommand, long[] macs) throws IOException {
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
    public CompletableFuture<AtaReply> ataAsync(TargetInfo t, int aflags, int feature, int count, int command, long lba,
                                                byte[] data, int off, int len) throws IOException {
        boolean crc = crcOn(t);
        boolean crcWrite = crc && len > 0 && (command == Ata.CMD_WRITE || command == Ata.CMD_WRITE_EXT);
        ByteBuffer f = frame(t.mac(), t.shelf(), t.slot(), Aoe.CMD_ATA, Ata.HEADER + len + (crcWrite ? Crc8x4.BYTES : 0));
        Ata.putHeader(f, aflags, feature, count, command, lba);
        if (len > 0) {
            f.put(Ata.DATA, data, off, len);
        }
        if (crcWrite) {
            Crc8x4.append(f, Aoe.HEADER, Ata.DATA + len);  // over the ATA header and the data
        }
        return submit(f, options.tries, true, null, 0).thenApply(r -> {
            byte[] d = new byte[crc ? crcDataLength(f, r) : Ata.dataLength(r.limit())];
            r.get(Ata.DATA, d);
            return new AtaReply(Ata.status(r), Ata.errorReg(r), Ata.sectorCount(r), Ata.rawLba(r), d);
        });
    }

    public AtaReply ata(TargetInfo t, int aflags, int feature, int count, int command, long lba, byte[] data) throws IOException {
        return await(ataAsync(t, aflags, feature, count, command, lba, data, 0, data == null ? 0 : data.length));
    }

    public Identify identify(TargetInfo t) throws IOException {
        AtaReply r = ata(t, 0, 0, 1, Ata.CMD_IDENTIFY, 0, null);
        check("IDENTIFY", r);
        return Identify.parse(r.data());
    }

    public void flush(TargetInfo t) throws IOException {
        check("FLUSH CACHE EXT", ata(t, Ata.AFLAG_EXTENDED, 0, 0, Ata.CMD_FLUSH_EXT, 0, null));
    }

    /** Reads {@code count} sectors at {@code lba}, split into frames of the target's sector count. */
    public CompletableFuture<byte[]> readAsync(TargetInfo t, long lba, int count) throws IOException {
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
    public CompletableFuture<Void> writeAsync(TargetInfo t, long lba, byte[] buf, int off, int count) throws IOException {
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

    public byte[] read(TargetInfo t, long lba, int count) throws IOException {
        return await(readAsync(t, lba, count));
    }

    public void write(TargetInfo t, long lba, byte[] buf, int count) throws IOException {
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

    // ---- CRC8x4 ----

    /**
     * Negotiates {@code crc8x4} with the export (AoE command 0x23, the name list's length in network
     * byte order) and, if the export accepts it (upper-cases it in its reply), turns CRCs on for it:
     * writes carry the four CRC bytes, data replies (reads, IDENTIFY) are checked and a reply whose
     * CRC is missing or wrong is dropped (counted in {@link #crcErrors()}) and retransmitted.
     * Returns whether the export accepted; throws {@link AoeErrorException} (1) if the export does
     * not know 0x23.
     */
    public boolean negotiateCrc(TargetInfo t) throws IOException {
        boolean accepted = negotiate(t, java.util.List.of("crc8x4")).accepted("crc8x4");
        useCrc(t, accepted);
        return accepted;
    }

    /** Turns CRC8x4 on or off for an export without asking it (after a negotiation made elsewhere, or for tests). */
    public void useCrc(TargetInfo t, boolean on) {
        if (on) {
            crcExports.add(t.shelf() << 8 | t.slot());
        } else {
            crcExports.remove(t.shelf() << 8 | t.slot());
        }
    }

    public boolean crcOn(TargetInfo t) {
        return crcOn(t.shelf(), t.slot());
    }

    private boolean crcOn(int shelf, int slot) {
        return !crcExports.isEmpty() && crcExports.contains(shelf << 8 | slot);
    }

    /** Data replies whose CRC8x4 was checked and found right. */
    public long crcChecked() {
        return crcChecked.get();
    }

    /** Data replies dropped because their CRC8x4 was missing or wrong. */
    public long crcErrors() {
        return crcErrors.get();
    }

    /** Bytes of sector data a data reply carries (without the CRC), or -1 if it is not a CRC-carrying reply. */
    private static int crcData(ByteBuffer req, ByteBuffer reply) {
        if (Aoe.command(req) != Aoe.CMD_ATA || Aoe.isError(reply) || (Ata.status(reply) & Ata.STATUS_ERR) != 0) {
            return -1;
        }
        int cmd = Ata.command(req);
        int n = cmd == Ata.CMD_IDENTIFY ? Ata.SECTOR
                : cmd == Ata.CMD_READ || cmd == Ata.CMD_READ_EXT ? Ata.sectorCount(req) * Ata.SECTOR : 0;
        return n > 0 ? n : -1;
    }

    /** True unless the reply belongs to a CRC export and should carry a CRC that is missing or wrong. */
    private boolean crcValid(ByteBuffer req, ByteBuffer reply) {
        if (!crcExports.contains(Aoe.shelf(req) << 8 | Aoe.slot(req))) {
            return true;
        }
        int crc = checkCrc(req, reply);
        if (crc > 0) {
            crcChecked.incrementAndGet();
        }
        return crc != 0;
    }

    /** The CRC8x4 of a reply to {@code req} of a CRC export: 1 right, 0 missing or wrong, -1 the reply carries none. */
    static int checkCrc(ByteBuffer req, ByteBuffer reply) {
        int n = crcData(req, reply);
        if (n < 0) {
            return -1;
        }
        int end = Ata.DATA + n;
        return reply.limit() >= end + Crc8x4.BYTES && Crc8x4.verify(reply, Aoe.HEADER, end) ? 1 : 0;
    }

    /** The data length of a checked reply without its CRC (replies without one: all their data). */
    private static int crcDataLength(ByteBuffer req, ByteBuffer reply) {
        int n = crcData(req, reply);
        return n < 0 ? Ata.dataLength(reply.limit()) : Math.min(n, Ata.dataLength(reply.limit()));
    }

    // ---- extension negotiation (0x23) and coalesced read (0x24) ----

    /**
     * Negotiates extension names with an export (AoE command 0x23; the list's length in network byte
     * order), e.g. {@code reset, congestion, 5, coalesced_read}. Returns what the export accepted
     * and what it left. An export without the negotiation extension answers AoE error 1
     * ({@link AoeErrorException}).
     */
    public Negotiated negotiate(TargetInfo t, java.util.List<String> names) throws IOException {
        byte[] list = Negotiate.encode(names);
        ByteBuffer f = frame(t.mac(), t.shelf(), t.slot(), Negotiate.COMMAND, Negotiate.O_NAMES + list.length);
        Negotiate.put(f, list);
        return Negotiated.decode(names, await(submit(f, options.tries, false, null, 0)));
    }

    /** Most entries one coalesced read frame carries on this link (count byte: at most 255). */
    public int coalescedEntriesPerFrame() {
        int mtu = link.mtu() > 0 ? link.mtu() : 1500;
        return Math.max(1, Math.min(CoalescedRead.MAX_ENTRIES,
                (mtu + Aoe.ETH_HEADER - CoalescedRead.O_ENTRIES) / CoalescedRead.ENTRY));
    }

    /**
     * Reads several extents with one coalesced read frame (AoE command 0x24; needs
     * {@code coalesced_read} negotiated): after the ATA header a count byte and 16-byte entries
     * {tag, lba (6 bytes, little-endian), 5 reserved, sector count}. Each entry's reply arrives
     * as a READ EXT reply under its own tag; an entry whose reply is lost is retried as a plain
     * READ EXT (counted in {@link #retransmits()}). Counts are at most {@link #sectorsPerFrame}.
     */
    public CompletableFuture<byte[][]> coalescedReadAsync(TargetInfo t, long[] lbas, int[] counts) throws IOException {
        int n = lbas.length;
        if (n == 0 || n != counts.length || n > coalescedEntriesPerFrame()) {
            throw new IllegalArgumentException("1 to " + coalescedEntriesPerFrame() + " entries, one count per lba");
        }
        if (closed) {
            throw new IOException("client closed");
        }
        ByteBuffer cr = frame(t.mac(), t.shelf(), t.slot(), CoalescedRead.COMMAND, CoalescedRead.length(n));
        Ata.putHeader(cr, Ata.AFLAG_EXTENDED, 0, 0, Ata.CMD_READ_EXT, 0);
        CoalescedRead.putCount(cr, n);
        byte[][] out = new byte[n][];
        java.util.List<CompletableFuture<?>> parts = new ArrayList<>();
        java.util.List<Pending> entries = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int count = counts[k];
            long lba = lbas[k];
            if (count < 0 || count > 255) {
                throw new IllegalArgumentException("sector count " + count + " out of range");
            }
            // the request this entry stands for: what a retransmission sends
            ByteBuffer f = frame(t.mac(), t.shelf(), t.slot(), Aoe.CMD_ATA, Ata.HEADER);
            Ata.putHeader(f, Ata.AFLAG_EXTENDED, 0, count, Ata.CMD_READ_EXT, lba);
            Pending p = new Pending(f, options.tries, false, null);
            p.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(options.timeoutMs);
            p.sent = 1;
            p.deadline = System.nanoTime() + p.timeoutNanos;
            register(p);
            entries.add(p);
            CoalescedRead.putEntry(cr, k, p.tag, lba, count);
            int idx = k;
            parts.add(p.future.thenAccept(r -> {
                int st = Ata.status(r);
                if ((st & Ata.STATUS_ERR) != 0) {
                    throw new java.util.concurrent.CompletionException(
                            new AtaErrorException("coalesced READ at LBA " + lba, st, Ata.errorReg(r)));
                }
                if (Ata.dataLength(r.limit()) < count * Ata.SECTOR) {
                    throw new java.util.concurrent.CompletionException(new IOException(
                            "short coalesced read at LBA " + lba + ": " + Ata.dataLength(r.limit()) + " bytes"));
                }
                byte[] d = new byte[count * Ata.SECTOR];
                r.get(Ata.DATA, d);
                out[idx] = d;
            }));
        }
        // The 0x24 frame itself is answered only when refused (AoE error 1: coalesced_read not
        // negotiated, or no negotiation at all): then every entry fails with that error.
        Pending whole = new Pending(cr, 1, false, null);
        whole.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(options.maxTimeoutMs);
        whole.sent = 1;
        whole.deadline = System.nanoTime() + whole.timeoutNanos;
        register(whole);
        whole.future.whenComplete((r, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof AoeErrorException) {
                for (Pending p : entries) {
                    if (pending.remove(p.tag, p)) {
                        end(p, null, cause);
                    }
                }
            }
        });
        link.send(cr.duplicate());
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> out);
    }

    /** Reads {@code count} sectors at {@code lba} through coalesced read frames; returns the data and the frames sent. */
    public byte[] readCoalesced(TargetInfo t, long lba, int count, long[] framesSent) throws IOException {
        byte[] out = new byte[count * Ata.SECTOR];
        int spf = sectorsPerFrame(t);
        int per = coalescedEntriesPerFrame();
        java.util.List<CompletableFuture<?>> frames = new ArrayList<>();
        for (int done = 0; done < count; ) {
            int entries = Math.min(per, (count - done + spf - 1) / spf);
            long[] lbas = new long[entries];
            int[] counts = new int[entries];
            int start = done;
            for (int k = 0; k < entries; k++) {
                lbas[k] = lba + done;
                counts[k] = Math.min(spf, count - done);
                done += counts[k];
            }
            frames.add(coalescedReadAsync(t, lbas, counts).thenAccept(parts -> {
                int at = start * Ata.SECTOR;
                for (byte[] d : parts) {
                    System.arraycopy(d, 0, out, at, d.length);
                    at += d.length;
                }
            }));
            if (framesSent != null) {
                framesSent[0]++;
            }
        }
        await(CompletableFuture.allOf(frames.toArray(CompletableFuture[]::new)));
        return out;
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
        int mode = tagMode;
        if (mode != TAGS_USERLAND) {
            int n;
            do {
                n = nextTag.getAndIncrement();    // a 32-bit counter, consecutive; 0 is the advertisements' tag
            } while (n == 0);
            return mode == TAGS_INC_LE ? Integer.reverseBytes(n) : n;
        }
        return Aoe.TAG_USERLAND | (nextTag.getAndIncrement() & 0x7fff_ffff);
    }

    // ---- monotonic tags (tag_inc_le / tag_inc_be) ----

    static final int TAGS_USERLAND = 0, TAGS_INC_LE = 1, TAGS_INC_BE = 2;
    private volatile int tagMode = TAGS_USERLAND;

    /**
     * Negotiates {@code reset, tag_inc_le} (or {@code tag_inc_be}) and, if the export accepts it, numbers
     * every later request with a consecutive 32-bit counter in that byte order in the tag field
     * (retransmissions still get a fresh number). Returns whether the export accepted.
     */
    public boolean negotiateTags(TargetInfo t, boolean littleEndian) throws IOException {
        String name = littleEndian ? "tag_inc_le" : "tag_inc_be";
        // reset first: a new process must not inherit an earlier one's tag window (nor its byte order);
        // a CRC negotiated before is asked for again in the same request
        List<String> names = crcOn(t) ? List.of("reset", name, "crc8x4") : List.of("reset", name);
        Negotiated n = negotiate(t, names);
        boolean ok = n.accepted(name) && (!crcOn(t) || n.accepted("crc8x4"));
        if (ok) {
            tagMode = littleEndian ? TAGS_INC_LE : TAGS_INC_BE;
        }
        return ok;
    }

    /** Tests: the next tag counter value (two initiators with the same tag numbers, say). */
    public void firstTag(int counter) {
        nextTag.set(counter);
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
        follow(f);
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
            follow(p.frame);
            p.sent++;
            p.timeoutNanos = Math.min(p.timeoutNanos * 2, TimeUnit.MILLISECONDS.toNanos(options.maxTimeoutMs));
            p.deadline = now + p.timeoutNanos;
            retransmits.incrementAndGet();
            link.send(p.frame.duplicate());
        }
    }

    /** Addresses a unicast request to the MAC that took its shelf.slot over, if one did. */
    private void follow(ByteBuffer f) {
        if (movedTo.isEmpty() || Aoe.dst(f) == Mac.BROADCAST) {
            return;
        }
        Long to = movedTo.get(Aoe.shelf(f) << 8 | Aoe.slot(f));
        if (to != null) {
            Aoe.setDst(f, to);
        }
    }

    /** Targets that took an address over (advertised it unasked) since this client started. */
    public int moves() {
        return moves.get();
    }

    private final java.util.concurrent.atomic.AtomicInteger moves = new java.util.concurrent.atomic.AtomicInteger();

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
        if (tag == 0 && Aoe.command(frame) == Aoe.CMD_CONFIG && !Aoe.isError(frame)) {
            Long was = movedTo.put(Aoe.shelf(frame) << 8 | Aoe.slot(frame), Aoe.src(frame));
            if (was == null || was != Aoe.src(frame)) {
                moves.incrementAndGet();
            }
        }
        if (tagMode == TAGS_USERLAND ? (tag & Aoe.TAG_USERLAND) == 0 : tag == 0) {
            return;  // unsolicited advertisements (tag 0) and other initiators' traffic
        }
        Pending p = pending.get(tag);
        if (p == null || Aoe.command(frame) != Aoe.command(p.frame)) {
            staleReplies.incrementAndGet();
            return;
        }
        if (!crcExports.isEmpty() && !crcValid(p.frame, frame)) {
            crcErrors.incrementAndGet();
            return;  // treated as lost: the retransmit asks again
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
