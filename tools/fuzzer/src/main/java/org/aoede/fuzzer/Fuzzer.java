package org.aoede.fuzzer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
 * An AoE frame fuzzer, run by the integration test {@code FuzzIT} inside the test's fuzzer
 * namespace only: {@code ip netns exec NS java -jar aoede-fuzzer.jar key=value...}.
 *
 * <p>With a fixed seed it sends, paced: valid requests of every kind mutated field by field
 * (systematically, then randomly), every truncation of every request kind, and random bytes
 * with the AoE EtherType. It always uses its interface's real MAC as source except when the
 * source field itself is mutated, and never the protected MAC.
 *
 * <p>State the fuzz changes over the wire (MAC mask list, reservation, config string) is
 * repaired right after each frame that could change it (computed from the frame's final
 * bytes), and at the end a heal pass reads the state back and cleans it; the last line says
 * whether the export ended clean ({@code healed=true}).
 *
 * <p>Keys: if, target-mac, shelf, slot, sectors, protect-shelf, protect-slot, protect-mac,
 * seed, frames, rate (frames/s), deadline-s (the fuzz phase ends then, default 180), mode (fuzz|clean),
 * state (the export's state file: its persisted mask list undoes a lockout).
 */
public final class Fuzzer implements FrameHandler {
    private static final int TRACK_BIT = 0x4000_0000;     // tags of tracked fuzz frames: TRACK_BIT | seq
    private static final int HEAL_BASE = 0x7e00_0000;     // tags of heal requests
    private static final int NR_RFLAG = 1, NR_BCAST_ATA = 2, NR_PROTECTED = 4, NR_BCAST_MODIFY = 8;

    // ---- parameters ----
    private final String ifname;
    private final long targetMac;
    private final int shelf;
    private final int slot;
    private final long sectors;
    private final int pShelf;
    private final int pSlot;
    private final long pMac;
    private final long seed;
    private final int total;
    /** Frames this run sends: {@link #total}, or fewer once the deadline has passed. */
    private int limit;
    private final int rate;

    private PcapLink link;
    private long myMac;
    private int maxFrame;        // bytes incl. Ethernet header
    private int maxSectors;
    private final SplittableRandom rnd;

    // ---- the frame being built ----
    private final ByteBuffer f = ByteBuffer.allocate(65536 + 64);
    private int len;
    private final ByteBuffer aux = ByteBuffer.allocate(65536 + 64);

    // ---- sending ----
    private int seq;                      // fuzz frames sent (tracked or not)
    private long sentTotal;
    private long sendFailures;
    private long startNanos;
    private long nextDue;
    private long lockouts;
    private final List<byte[]> maskFramesSinceCheck = new ArrayList<>();
    private final java.util.LinkedHashSet<Long> addersSinceCheck = new java.util.LinkedHashSet<>();
    private final Map<String, Long> byMutation = new TreeMap<>();
    private final Map<String, Long> byTemplate = new TreeMap<>();
    private final Map<String, Long> byClass = new TreeMap<>();
    private byte[] expect;
    private static final int HEAD = 48;
    private byte[] sentHeads;              // first bytes of every fuzz frame, for violation reports
    private final int[] sentLens = new int[1 << 20];                // per seq: why no reply is expected (NR_*), 0 = anything goes
    private final ArrayDeque<Long> recentAdders = new ArrayDeque<>();
    private long repairs;
    private long skipped;
    /** Health checks that found the export answering nobody we can send from (see check()). */
    private long unreachable;
    /** Replies counted at the end of the last check: none since then means the export is still silent. */
    private long repliesAtLastCheck = -1;
    /** The fuzz phase ends here even with frames left, so the run always reports (FuzzIT waits 300 s). */
    private long deadlineNanos;

    // ---- receiving (pcap thread) ----
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong aoeErrorReplies = new AtomicLong();
    private final AtomicLong ataErrorReplies = new AtomicLong();
    private final AtomicLong trackedReplies = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private final List<String> violationSamples = new ArrayList<>();
    private final LinkedBlockingQueue<ByteBuffer> healReplies = new LinkedBlockingQueue<>();
    private int healTag;

    private Fuzzer(Map<String, String> a) {
        ifname = need(a, "if");
        targetMac = Mac.parse(need(a, "target-mac"));
        shelf = Integer.parseInt(need(a, "shelf"));
        slot = Integer.parseInt(need(a, "slot"));
        sectors = Long.parseLong(need(a, "sectors"));
        pShelf = Integer.parseInt(need(a, "protect-shelf"));
        pSlot = Integer.parseInt(need(a, "protect-slot"));
        pMac = Mac.parse(need(a, "protect-mac"));
        seed = Long.parseLong(a.getOrDefault("seed", "1"));
        total = Integer.parseInt(a.getOrDefault("frames", "150000"));
        rate = Integer.parseInt(a.getOrDefault("rate", "4000"));
        deadlineSeconds = Long.parseLong(a.getOrDefault("deadline-s", "180"));
        rnd = new SplittableRandom(seed);
        statePath = a.get("state");
    }

    /** The export's state file: its persisted mask list, read when a lockout is found. */
    private final String statePath;
    private final long deadlineSeconds;

    private static String need(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) {
            throw new IllegalArgumentException("missing " + k + "=");
        }
        return v;
    }

    public static void main(String[] argv) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            if (i < 0) {
                System.err.println("arguments are key=value: " + s);
                System.exit(2);
            }
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        Fuzzer z = new Fuzzer(a);
        int rc = z.run(a.getOrDefault("mode", "fuzz"));
        System.out.flush();
        System.exit(rc);
    }

    private int run(String mode) throws Exception {
        if (mode.equals("dry")) {          // no network: generate only (debugging the generator)
            myMac = 0x020000000001L;
            maxFrame = 9014;
            maxSectors = 17;
            fuzz();
            report(false);
            return 0;
        }
        link = new PcapLink(ifname, this, 8 << 20);
        link.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!link.isUp() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        if (!link.isUp()) {
            System.out.println("error: interface " + ifname + " did not come up");
            return 1;
        }
        myMac = link.mac();
        if (myMac == pMac) {
            System.out.println("error: the protected MAC is this interface's own");
            return 1;
        }
        maxFrame = link.mtu() + Aoe.ETH_HEADER;
        maxSectors = Ata.maxSectors(link.mtu());
        System.out.printf("fuzzer if=%s mac=%s mtu=%d max-sectors=%d seed=%d frames=%d rate=%d%n", ifname,
                Mac.format(myMac), link.mtu(), maxSectors, seed, total, rate);
        Thread.sleep(300);   // let the capture settle
        if (mode.equals("fuzz")) {
            fuzz();
        }
        boolean healed = heal();
        Thread.sleep(300);
        report(healed);
        link.close();
        return healed || mode.equals("fuzz") ? 0 : 1;
    }

    // =========================================================================================
    // Templates: valid requests of every kind
    // =========================================================================================

    enum T {
        READ28, READ48, WRITE28, WRITE48, IDENTIFY, FLUSH, FLUSH_EXT, POWER,
        CFG_READ, CFG_TEST, CFG_PREFIX, CFG_SET, CFG_FORCE,
        MASK_READ, MASK_EDIT, RES_READ, RES_SET, RES_FORCE;

        boolean ata() {
            return ordinal() <= POWER.ordinal();
        }

        boolean config() {
            return name().startsWith("CFG");
        }

        boolean mask() {
            return name().startsWith("MASK");
        }

        boolean reserve() {
            return name().startsWith("RES");
        }
    }

    private int tag() {
        return TRACK_BIT | seq;
    }

    /** Builds a valid request of kind t into f; small = keep data short (for truncation sweeps). */
    private void build(T t, boolean small) {
        f.clear();
        java.util.Arrays.fill(f.array(), 0, maxFrame, (byte) 0);
        Aoe.putHeader(f, targetMac, myMac, 0, 0, shelf, slot, cmdOf(t), tag());
        int max = Math.max(1, small ? Math.min(2, maxSectors) : maxSectors);
        switch (t) {
            case READ28, READ48, WRITE28, WRITE48 -> {
                boolean ext = t == T.READ48 || t == T.WRITE48;
                boolean write = t == T.WRITE28 || t == T.WRITE48;
                int count = 1 + rnd.nextInt(max);
                long limit = ext ? sectors : Math.min(sectors, Ata.LBA28_MASK + 1);
                long lba = rnd.nextLong(limit - count + 1);
                int op = ext ? (write ? Ata.CMD_WRITE_EXT : Ata.CMD_READ_EXT) : (write ? Ata.CMD_WRITE : Ata.CMD_READ);
                Ata.putHeader(f, (ext ? Ata.AFLAG_EXTENDED : 0) | (write ? Ata.AFLAG_WRITE : 0), 0, count, op, lba);
                len = Ata.HEADER;
                if (write) {
                    randomBytes(Ata.DATA, count * Ata.SECTOR);
                    len += count * Ata.SECTOR;
                }
            }
            case IDENTIFY -> { Ata.putHeader(f, 0, 0, 1, Ata.CMD_IDENTIFY, 0); len = Ata.HEADER; }
            case FLUSH -> { Ata.putHeader(f, 0, 0, 0, Ata.CMD_FLUSH, 0); len = Ata.HEADER; }
            case FLUSH_EXT -> { Ata.putHeader(f, Ata.AFLAG_EXTENDED, 0, 0, Ata.CMD_FLUSH_EXT, 0); len = Ata.HEADER; }
            case POWER -> { Ata.putHeader(f, 0, 0, 0, Ata.CMD_CHECK_POWER_MODE, 0); len = Ata.HEADER; }
            case CFG_READ, CFG_TEST, CFG_PREFIX, CFG_SET, CFG_FORCE -> {
                int sub = switch (t) {
                    case CFG_TEST -> Config.TEST_EXACT;
                    case CFG_PREFIX -> Config.TEST_PREFIX;
                    case CFG_SET -> Config.SET;
                    case CFG_FORCE -> Config.FORCE_SET;
                    default -> Config.READ;
                };
                int n = t == T.CFG_READ || small ? rnd.nextInt(4) : rnd.nextInt(8) == 0
                        ? rnd.nextInt(Math.min(Config.MAX_STRING, maxFrame - Config.STRING) + 1) : rnd.nextInt(40);
                byte[] s = new byte[n];
                for (int i = 0; i < n; i++) {
                    s[i] = (byte) (0x20 + rnd.nextInt(0x5f));
                }
                len = Config.put(f, 0, 0, 0, sub, s);
            }
            case MASK_READ -> { MacMask.putHeader(f, MacMask.READ, 0, 0); len = MacMask.HEADER; }
            case MASK_EDIT -> {
                int n = 1 + rnd.nextInt(small ? 3 : 8);
                MacMask.putHeader(f, MacMask.EDIT, 0, n);
                for (int i = 0; i < n; i++) {
                    MacMask.putDirective(f, i, rnd.nextInt(3), someMac());
                }
                len = MacMask.HEADER + n * MacMask.DIRECTIVE;
            }
            case RES_READ -> len = Reserve.put(f, Reserve.READ, new long[0]);
            case RES_SET, RES_FORCE -> {
                long[] macs = new long[rnd.nextInt(small ? 3 : 5)];
                for (int i = 0; i < macs.length; i++) {
                    macs[i] = someMac();
                }
                len = Reserve.put(f, t == T.RES_SET ? Reserve.SET : Reserve.FORCE_SET, macs);
            }
            default -> throw new IllegalStateException();
        }
    }

    private static int cmdOf(T t) {
        if (t.ata()) {
            return Aoe.CMD_ATA;
        }
        if (t.config()) {
            return Aoe.CMD_CONFIG;
        }
        return t.mask() ? Aoe.CMD_MASK : Aoe.CMD_RESERVE;
    }

    /** A MAC for lists: often our own, sometimes the target's, else random; never the protected one. */
    private long someMac() {
        return switch (rnd.nextInt(4)) {
            case 0 -> myMac;
            case 1 -> targetMac;
            default -> randomMac();
        };
    }

    private long randomMac() {
        long m;
        do {
            m = rnd.nextLong() & Mac.BROADCAST;
        } while (m == pMac);
        return m;
    }

    private void randomBytes(int from, int n) {
        byte[] a = f.array();
        for (int i = 0; i < n; i++) {
            a[from + i] = (byte) rnd.nextInt();
        }
    }

    // =========================================================================================
    // Mutations, field by field
    // =========================================================================================

    /** Mutation names applicable to a template, and how many special values each has. */
    private static final String[] COMMON = {"version", "flags", "error", "shelf", "slot", "command", "tag",
            "src", "dst", "ethertype", "truncate", "trailing"};
    private static final String[] ATA_M = {"aflags", "feature", "count", "atacmd", "lba", "lba28top", "ata-reserved"};
    private static final String[] CFG_M = {"bufcnt", "fwver", "scnt", "cfg-version", "cfg-sub", "cslen"};
    private static final String[] MASK_M = {"mask-reserved", "mcmd", "merror", "dircount", "dircmd", "dir-reserved"};
    private static final String[] RES_M = {"rcmd", "nmacs"};

    private static List<String> mutationsFor(T t) {
        List<String> m = new ArrayList<>(List.of(COMMON));
        if (t.ata()) {
            m.addAll(List.of(ATA_M));
        } else if (t.config()) {
            m.addAll(List.of(CFG_M));
        } else if (t.mask()) {
            m.addAll(List.of(MASK_M));
        } else {
            m.addAll(List.of(RES_M));
        }
        return m;
    }

    /** Number of special values of a mutation (value index -1 = random). */
    private int variants(String m) {
        return switch (m) {
            case "version" -> 4;
            case "flags" -> 16;
            case "error" -> 8;
            case "shelf" -> 6;
            case "slot" -> 6;
            case "command" -> 10;
            case "tag" -> 4;
            case "src" -> 6;
            case "dst" -> 4;
            case "ethertype" -> 4;
            case "truncate" -> 4;
            case "trailing" -> 3;
            case "aflags" -> 11;
            case "feature" -> 3;
            case "count" -> 6;
            case "atacmd" -> 256;
            case "lba" -> 9;
            case "lba28top" -> 2;
            case "ata-reserved" -> 2;
            case "bufcnt", "fwver", "scnt" -> 3;
            case "cfg-version" -> 4;
            case "cfg-sub" -> 16;
            case "cslen" -> 8;
            case "mask-reserved" -> 2;
            case "mcmd" -> 6;
            case "merror" -> 3;
            case "dircount" -> 6;
            case "dircmd" -> 6;
            case "dir-reserved" -> 2;
            case "rcmd" -> 6;
            case "nmacs" -> 7;
            default -> throw new IllegalArgumentException(m);
        };
    }

    /** Applies value v (0..variants-1, or -1 = random) of mutation m to the frame in f. */
    private void mutate(T t, String m, int v) {
        byte[] a = f.array();
        int r = v < 0 ? rnd.nextInt(1 << 30) : v;
        switch (m) {
            case "version" -> a[14] = (byte) (new int[] {0, 2, 15, rnd.nextInt(16)}[r % 4] << 4 | (a[14] & 0x0f));
            case "flags" -> a[14] = (byte) ((a[14] & 0xf0) | (v < 0 ? rnd.nextInt(16) : v));
            case "error" -> a[15] = (byte) (v >= 0 && v < 7 ? v + 1 : rnd.nextInt(256));
            case "shelf" -> Aoe.setShelf(f, new int[] {0, pShelf, 0xffff, 0xfffe, shelf + 1, rnd.nextInt(0x10000)}[r % 6]);
            case "slot" -> Aoe.setSlot(f, new int[] {0, pSlot, 0xff, 0xfe, slot + 1, rnd.nextInt(256)}[r % 6]);
            case "command" -> {       // another command's handler on this body, and unknown commands
                int[] c = {0, 1, 2, 3, 4, 5, 0x7f, 0xf0, 0xff, rnd.nextInt(256)};
                Aoe.setCommand(f, c[r % 10]);
            }
            case "tag" -> Aoe.setTag(f, new int[] {0, 0xffffffff, Aoe.TAG_USERLAND | rnd.nextInt(),
                    rnd.nextInt() & 0x3fffffff}[r % 4]);
            case "src" -> {
                long[] c = {Mac.BROADCAST, 0, 0x01005e000001L, targetMac, randomMac(), randomMac() | 0x0200_0000_0000L};
                long mac = c[r % 6];
                if (mac == pMac) {
                    mac = myMac;
                }
                Aoe.setSrc(f, mac);
            }
            case "dst" -> Aoe.setDst(f, new long[] {Mac.BROADCAST, 0, 0x01005e000001L, randomMac()}[r % 4]);
            case "ethertype" -> f.putShort(12, (short) new int[] {0x0800, 0x88a3, 0x8100, 0x88a1}[r % 4]);
            case "truncate" -> {
                int[] c = {Aoe.ETH_HEADER, Aoe.HEADER - 1, Aoe.HEADER, Aoe.ETH_HEADER + rnd.nextInt(Math.max(1, len - Aoe.ETH_HEADER))};
                len = Math.min(len, c[r % 4]);
            }
            case "trailing" -> {       // bytes after the request: zero padding to 60 (as Linux sends), or junk
                int room = maxFrame - len;
                int n = Math.min(room, new int[] {Math.max(0, Aoe.MIN_FRAME - len), 1 + rnd.nextInt(64),
                        rnd.nextInt(room + 1)}[r % 3]);
                if (r % 3 != 0) {
                    randomBytes(len, n);
                } else {
                    java.util.Arrays.fill(a, len, len + n, (byte) 0);
                }
                len += n;
            }
            // ---- ATA ----
            case "aflags" -> {
                int[] c = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x00, 0xff, rnd.nextInt(256)};
                int x = c[r % 11];
                Ata.setAflags(f, r % 11 < 8 ? Ata.aflags(f) ^ x : x);
            }
            case "feature" -> Ata.setFeature(f, new int[] {0xff, 0x01, rnd.nextInt(256)}[r % 3]);
            case "count" -> Ata.setSectorCount(f, new int[] {0, 1, maxSectors, maxSectors + 1, 255, rnd.nextInt(256)}[r % 6]);
            case "atacmd" -> Ata.setCommand(f, v < 0 ? rnd.nextInt(256) : v);
            case "lba" -> {
                long[] c = {sectors - 1, sectors, sectors + 1, (1L << 48) - 1, (1L << 28) - 1, 1L << 28,
                        0, rnd.nextLong(1L << 48), sectors - Math.max(1, Ata.sectorCount(f))};
                Ata.setLba(f, c[r % 9]);
            }
            case "lba28top" -> a[Aoe.HEADER + 7] = (byte) ((a[Aoe.HEADER + 7] & 0x0f) | (r % 2 == 0 ? 0xe0 : 0xf0));
            case "ata-reserved" -> f.putShort(Aoe.HEADER + 10, (short) (r % 2 == 0 ? 0xffff : rnd.nextInt()));
            // ---- config ----
            case "bufcnt" -> f.putShort(Aoe.HEADER, (short) new int[] {0xffff, 1, rnd.nextInt()}[r % 3]);
            case "fwver" -> f.putShort(Aoe.HEADER + 2, (short) new int[] {0xffff, 1, rnd.nextInt()}[r % 3]);
            case "scnt" -> a[Aoe.HEADER + 4] = (byte) new int[] {0xff, 1, rnd.nextInt()}[r % 3];
            case "cfg-version" -> a[Aoe.HEADER + 5] = (byte) (new int[] {0, 2, 15, rnd.nextInt(16)}[r % 4] << 4
                    | (a[Aoe.HEADER + 5] & 0x0f));
            case "cfg-sub" -> a[Aoe.HEADER + 5] = (byte) ((a[Aoe.HEADER + 5] & 0xf0) | (v < 0 ? rnd.nextInt(16) : v));
            case "cslen" -> {        // declared string length vs the bytes present
                int have = len - Config.STRING;
                int[] c = {0, have + 1, have + 100, Config.MAX_STRING, Config.MAX_STRING + 1, 0xffff,
                        Math.max(0, have - 1), rnd.nextInt(0x10000)};
                f.putShort(Aoe.HEADER + 6, (short) c[r % 8]);
            }
            // ---- MAC mask ----
            case "mask-reserved" -> a[Aoe.HEADER] = (byte) (r % 2 == 0 ? 0xff : rnd.nextInt());
            case "mcmd" -> a[Aoe.HEADER + 1] = (byte) new int[] {0, 1, 2, 0x7f, 0xff, rnd.nextInt(256)}[r % 6];
            case "merror" -> a[Aoe.HEADER + 2] = (byte) new int[] {1, 0xff, rnd.nextInt(256)}[r % 3];
            case "dircount" -> {
                int have = Math.max(0, (len - MacMask.HEADER) / MacMask.DIRECTIVE);
                a[Aoe.HEADER + 3] = (byte) new int[] {0, have + 1, have + 10, 255, Math.max(0, have - 1),
                        rnd.nextInt(256)}[r % 6];
            }
            case "dircmd", "dir-reserved" -> {
                int have = (len - MacMask.HEADER) / MacMask.DIRECTIVE;
                if (have > 0) {
                    int i = rnd.nextInt(have);
                    int val = new int[] {3, 0x7f, 0xff, 0x80, 0, rnd.nextInt(256)}[r % 6];
                    a[MacMask.HEADER + i * MacMask.DIRECTIVE + (m.equals("dircmd") ? 1 : 0)] = (byte) val;
                }
            }
            // ---- reserve ----
            case "rcmd" -> a[Aoe.HEADER] = (byte) new int[] {0, 1, 2, 3, 0xff, rnd.nextInt(256)}[r % 6];
            case "nmacs" -> {
                int have = Math.max(0, (len - Reserve.HEADER) / 6);
                a[Aoe.HEADER + 1] = (byte) new int[] {0, have + 1, have + 20, 64, 65, 255, rnd.nextInt(256)}[r % 7];
            }
            default -> throw new IllegalArgumentException(m);
        }
        if (len > maxFrame) {
            len = maxFrame;
        }
    }

    // =========================================================================================
    // The fuzz run
    // =========================================================================================

    private void fuzz() {
        expect = new byte[total + 16];
        sentHeads = new byte[(total + 16) * HEAD];
        startNanos = System.nanoTime();
        deadlineNanos = startNanos + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        limit = total;
        T[] ts = T.values();
        // Phase 1: every mutation of every template, every special value, three different bases each.
        outer:
        for (int round = 0; round < 3; round++) {
            for (T t : ts) {
                for (String m : mutationsFor(t)) {
                    int n = variants(m);
                    for (int v = 0; v < n; v++) {
                        if (seq >= limit) {
                            break outer;
                        }
                        build(t, false);
                        mutate(t, m, round == 2 ? -1 : v);
                        send(t.name(), m, "field");
                    }
                }
                if (seq < limit) {
                    build(t, false);
                    send(t.name(), "none", "valid");
                }
            }
        }
        // Phase 2: every truncation of every template (small data so that write sweeps stay short).
        for (T t : ts) {
            build(t, true);
            int full = len;
            for (int cut = Aoe.ETH_HEADER; cut < full && seq < limit; cut++) {
                build(t, true);
                len = Math.min(cut, len);
                send(t.name(), "truncate-sweep", "truncate");
            }
        }
        // Phase 3: random mixes until the frame budget is spent; a quarter are random bytes.
        while (seq < limit) {
            if (rnd.nextInt(4) == 0) {
                randomFrame();
                continue;
            }
            T t = ts[rnd.nextInt(ts.length)];
            build(t, rnd.nextBoolean());
            List<String> ms = mutationsFor(t);
            int k = rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(3);
            String last = "none";
            for (int i = 0; i < k; i++) {
                last = ms.get(rnd.nextInt(ms.size()));
                mutate(t, last, rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(variants(last)));
            }
            send(t.name(), k == 0 ? "none" : k == 1 ? last : "multi", k == 0 ? "valid" : "random-mix");
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        System.out.printf("fuzz done frames=%d ms=%d%s%n", seq, ms,
                limit < total ? " deadline=" + deadlineSeconds + "s (" + (total - seq) + " frames not sent)" : "");
    }

    /** Random bytes after an Ethernet header with the AoE EtherType; half aimed at the export's address. */
    private void randomFrame() {
        f.clear();
        len = Aoe.ETH_HEADER + rnd.nextInt(maxFrame - Aoe.ETH_HEADER + 1);
        if (rnd.nextInt(4) != 0) {
            len = Math.min(len, Aoe.ETH_HEADER + rnd.nextInt(200));    // mostly short: headers matter most
        }
        randomBytes(0, len + 32);
        Aoe.setDst(f, rnd.nextInt(4) == 0 ? Mac.BROADCAST : targetMac);
        Aoe.setSrc(f, myMac);
        f.putShort(12, (short) Aoe.ETHERTYPE);
        if (rnd.nextBoolean() && len >= Aoe.HEADER) {
            f.put(14, (byte) (0x10 | (f.get(14) & 0x07)));                // version 1, R clear
            Aoe.setShelf(f, shelf);
            Aoe.setSlot(f, slot);
            Aoe.setCommand(f, rnd.nextInt(5));
        }
        if (len >= Aoe.HEADER) {
            Aoe.setTag(f, Aoe.tag(f) & ~TRACK_BIT);                     // never mistaken for a tracked frame
        }
        send("RANDOM", "random-bytes", "random-bytes");
    }

    private void send(String template, String mutation, String cls) {
        if (len < Aoe.ETH_HEADER) {
            len = Aoe.ETH_HEADER;
        }
        // Never the protected MAC as a source; a mask edit that would need it for its repair is skipped.
        if (Aoe.src(f) == pMac) {
            Aoe.setSrc(f, myMac);
        }
        // A short frame may reach the target zero-padded to the Ethernet minimum of 60 bytes (NICs
        // pad; the veth may not): we send only len bytes, but zero our copy up to 60 and model the
        // frame as 60 bytes for expectations and repairs (a repair of nothing is harmless), and
        // keep a cut-off tag untracked.
        int wire = Math.max(len, Aoe.MIN_FRAME);
        if (len < Aoe.MIN_FRAME) {
            java.util.Arrays.fill(f.array(), len, Aoe.MIN_FRAME, (byte) 0);
            if (len > 20 && len < Aoe.HEADER) {
                f.put(20, (byte) 0);
            }
        }
        // Mutations can leave another frame's tracked tag behind (a cut-off frame refilled with
        // random bytes): anything but this frame's own tag must not look tracked.
        if ((Aoe.tag(f) & 0xc000_0000) == TRACK_BIT && Aoe.tag(f) != tag()) {
            Aoe.setTag(f, Aoe.tag(f) & ~TRACK_BIT);
        }
        long[] maskList = maskOutcome(f, wire);
        if (repairSource(maskList) == pMac) {
            skipped++;
            return;
        }
        expect[seq] = (byte) expectation(f, wire);
        System.arraycopy(f.array(), 0, sentHeads, seq * HEAD, HEAD);
        sentLens[seq % sentLens.length] = len;
        paceAndSend(f, len);
        seq++;
        byMutation.merge(mutation, 1L, Long::sum);
        byTemplate.merge(template, 1L, Long::sum);
        byClass.merge(cls, 1L, Long::sum);
        repairAfter(f, wire, maskList);
        if (len >= Aoe.HEADER && Aoe.command(f) == Aoe.CMD_MASK && Aoe.shelf(f) == shelf && Aoe.slot(f) == slot) {
            maskFramesSinceCheck.add(java.util.Arrays.copyOf(f.array(), len));
        }
        if (seq % CHECK_EVERY == 0 && link != null) {
            check();
        }
    }

    private static final int CHECK_EVERY = 2000;

    /**
     * Mid-run health check: can we still talk to the export? If a repair went missing and the
     * mask list locks us out, find the list through the MACs recent edits added, report the
     * culprit and clean up, so the rest of the run still reaches the export.
     */
    private void check() {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (seq % 20_000 == 0) {
            System.out.printf("progress seq=%d ms=%d lockouts=%d unreachable=%d replies=%d%n", seq, ms, lockouts,
                    unreachable, replies.get());
        }
        if (System.nanoTime() - deadlineNanos > 0 && limit == total) {
            limit = seq;                       // the loops end; heal and report follow
            System.out.printf("deadline seq=%d ms=%d: the fuzz stops here%n", seq, ms);
        }
        try {
            long[] l = maskRead(myMac, 2);
            if (l == null && unreachable > 0 && replies.get() == repliesAtLastCheck) {
                // Nothing has answered since the last check found the export unreachable: don't
                // spend seconds on every candidate again (a hung target would eat the whole run).
                unreachable++;
                System.out.printf("unreachable seq=%d ms=%d (no reply since the last check)%n", seq, ms);
                return;
            }
            if (l == null) {
                lockouts++;
                long via = 0;
                List<Long> cands = new ArrayList<>(addersSinceCheck);
                java.util.Collections.reverse(cands);
                cands.addAll(recentAdders);
                for (long c : cands.subList(0, Math.min(16, cands.size()))) {
                    l = maskRead(c, 1);
                    if (l != null) {
                        via = c;
                        break;
                    }
                }
                // What the appliance persisted: printed below, and the way back in if no remembered MAC answered.
                java.util.Properties state = persistedState();
                long[] persisted = state == null ? null : macList(state.getProperty("mask", ""));
                if (lockouts <= 3) {
                    System.out.printf("lockout seq=%d list=%s via=%s%n", seq, l == null ? "?" : macs(l),
                            l == null ? "-" : Mac.format(via));
                    if (statePath != null) {
                        System.out.println("  state file: " + (state == null ? "unreadable" : state));
                    }
                    long[] shown = l != null ? l : persisted;
                    if (shown != null) {
                        for (byte[] fr : maskFramesSinceCheck) {
                            for (long m : shown) {
                                if (contains(fr, Mac.bytes(m))) {
                                    ByteBuffer w = ByteBuffer.wrap(fr);
                                    System.out.println("  culprit src=" + Mac.format(Aoe.src(w)) + " leaves="
                                            + macs(maskOutcome(w, fr.length)));
                                    System.out.println("  culprit " + java.util.HexFormat.of().formatHex(fr, 0,
                                            Math.min(fr.length, 128)) + " len=" + fr.length);
                                    break;
                                }
                            }
                        }
                    }
                }
                if (l == null && persisted != null && persisted.length > 0 && repairSource(persisted) != pMac) {
                    // no remembered MAC is on the list: send from one the persisted list names
                    l = persisted;
                    via = repairSource(persisted);
                }
                if (via != 0) {
                    maskEdit(via, l);
                } else {
                    unreachable++;
                    System.out.printf("unreachable seq=%d ms=%d list=%s%n", seq, ms,
                            persisted == null ? "?" : macs(persisted));
                }
            } else if (java.util.Arrays.stream(l).anyMatch(m -> m != myMac)) {
                maskEdit(myMac, java.util.Arrays.stream(l).filter(m -> m != myMac).toArray());
            }
            reserveForce(myMac);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        maskFramesSinceCheck.clear();
        addersSinceCheck.clear();
        repliesAtLastCheck = replies.get();
    }

    /** The export's state file, or null if there is none to read. */
    private java.util.Properties persistedState() {
        if (statePath == null) {
            return null;
        }
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(statePath))) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** A comma-separated MAC list as the state file writes it; null if it does not parse. */
    private static long[] macList(String list) {
        try {
            return list.isBlank() ? new long[0]
                    : java.util.Arrays.stream(list.split(",")).map(String::trim).mapToLong(Mac::parse).toArray();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void paceAndSend(ByteBuffer b, int n) {
        long now = System.nanoTime();
        if (nextDue > now) {
            LockSupport.parkNanos(nextDue - now);
        } else if (nextDue < now - 2_000_000) {
            nextDue = now;                              // after a pause: no catch-up burst
        }
        nextDue += 1_000_000_000L / rate;
        b.limit(n).position(0);
        if (link == null) {
            sentTotal++;
            b.clear();
            return;
        }
        if (!link.send(b)) {
            sendFailures++;
        }
        sentTotal++;
        b.clear();
    }

    /** Why the target must stay silent on this frame (0 = no such rule applies). */
    private int expectation(ByteBuffer b, int n) {
        if (n < Aoe.HEADER || (b.getShort(12) & 0xffff) != Aoe.ETHERTYPE) {
            return 0;   // untracked anyway: no tag on the wire we would recognise
        }
        int e = 0;
        if ((Aoe.flags(b) & Aoe.FLAG_RESPONSE) != 0) {
            e |= NR_RFLAG;
        }
        int sh = Aoe.shelf(b);
        int sl = Aoe.slot(b);
        boolean bcast = Aoe.isBroadcastAddress(sh, sl);
        if (bcast && Aoe.command(b) == Aoe.CMD_ATA) {
            e |= NR_BCAST_ATA;
        }
        if (sh == pShelf && sl == pSlot) {
            e |= NR_PROTECTED;                          // masked: only pMac may talk to it
        }
        if (bcast && Aoe.version(b) == Aoe.VERSION) {
            int c = Aoe.command(b);
            if (c == Aoe.CMD_CONFIG && n >= Config.HEADER
                    && (Config.subcommand(b) == Config.SET || Config.subcommand(b) == Config.FORCE_SET)) {
                e |= NR_BCAST_MODIFY;
            } else if (c == Aoe.CMD_MASK && n >= MacMask.HEADER && MacMask.subcommand(b) != MacMask.READ) {
                e |= NR_BCAST_MODIFY;
            } else if (c == Aoe.CMD_RESERVE && n >= Reserve.HEADER && Reserve.subcommand(b) != Reserve.READ) {
                e |= NR_BCAST_MODIFY;
            }
        }
        return e;
    }

    /** True if the target will apply this frame as a state change to the fuzzed export. */
    private boolean reachesExport(ByteBuffer b, int n) {
        return n >= Aoe.HEADER && (b.getShort(12) & 0xffff) == Aoe.ETHERTYPE && !Aoe.isResponse(b)
                && Aoe.version(b) == Aoe.VERSION && Aoe.shelf(b) == shelf && Aoe.slot(b) == slot;
    }

    /**
     * For a mask edit the target would apply: the list it leaves behind, starting from the empty
     * list the repairs keep (the target's rules: NOP, ADD unless present or the list is full,
     * DELETE, anything else stops the edit; directives before a failure stay applied).
     * Empty if the frame is no mask edit the export would apply.
     */
    private long[] maskOutcome(ByteBuffer b, int n) {
        if (!reachesExport(b, n) || Aoe.command(b) != Aoe.CMD_MASK || n < MacMask.HEADER
                || MacMask.subcommand(b) != MacMask.EDIT) {
            return new long[0];
        }
        ByteBuffer v = b.duplicate().limit(n);
        if (!MacMask.directivesFit(v)) {
            return new long[0];
        }
        java.util.LinkedHashSet<Long> list = new java.util.LinkedHashSet<>();
        for (int i = 0; i < MacMask.directiveCount(v); i++) {
            int c = MacMask.directiveCommand(v, i);
            long mac = MacMask.directiveMac(v, i);
            if (c == MacMask.DIR_ADD) {
                if (!list.contains(mac) && list.size() >= 64) {
                    break;
                }
                list.add(mac);
            } else if (c == MacMask.DIR_DELETE) {
                list.remove(mac);
            } else if (c != MacMask.DIR_NOP) {
                break;
            }
        }
        return list.stream().mapToLong(Long::longValue).toArray();
    }

    /** A source the target accepts after the edit: ours if on the list, else another (never the protected MAC). */
    private long repairSource(long[] list) {
        if (list.length == 0 || stream(list).anyMatch(m -> m == myMac)) {
            return myMac;
        }
        return stream(list).filter(m -> m != pMac).findFirst().orElse(pMac);
    }

    private static java.util.stream.LongStream stream(long[] l) {
        return java.util.Arrays.stream(l);
    }

    /** Undoes what the frame just sent may have changed on the fuzzed export. */
    private void repairAfter(ByteBuffer b, int n, long[] maskList) {
        if (!reachesExport(b, n)) {
            return;
        }
        java.util.Arrays.fill(aux.array(), 0, 2048, (byte) 0);
        ByteBuffer v = b.duplicate().limit(n);
        int c = Aoe.command(v);
        if (c == Aoe.CMD_CONFIG && n >= Config.HEADER
                && (Config.subcommand(v) == Config.SET || Config.subcommand(v) == Config.FORCE_SET)
                && Config.stringFits(v)) {
            aux.clear();
            Aoe.putHeader(aux, targetMac, myMac, 0, 0, shelf, slot, Aoe.CMD_CONFIG, 0x3f00_0000);
            int l = Config.put(aux, 0, 0, 0, Config.FORCE_SET, new byte[0]);
            paceAndSend(aux, Math.max(l, Aoe.MIN_FRAME));
            repairs++;
        } else if (c == Aoe.CMD_RESERVE && n >= Reserve.HEADER
                && (Reserve.subcommand(v) == Reserve.SET || Reserve.subcommand(v) == Reserve.FORCE_SET)) {
            aux.clear();
            Aoe.putHeader(aux, targetMac, myMac, 0, 0, shelf, slot, Aoe.CMD_RESERVE, 0x3f00_0001);
            int l = Reserve.put(aux, Reserve.FORCE_SET, new long[0]);
            paceAndSend(aux, Math.max(l, Aoe.MIN_FRAME));
            repairs++;
        } else if (maskList.length > 0) {
            // delete everything the edit left on the list, sent from a MAC that is on it
            long from = repairSource(maskList);
            remember(from);
            addersSinceCheck.add(from);
            aux.clear();
            Aoe.putHeader(aux, targetMac, from, 0, 0, shelf, slot, Aoe.CMD_MASK, 0x3f00_0002);
            MacMask.putHeader(aux, MacMask.EDIT, 0, maskList.length);
            for (int i = 0; i < maskList.length; i++) {
                MacMask.putDirective(aux, i, MacMask.DIR_DELETE, maskList[i]);
            }
            paceAndSend(aux, Math.max(MacMask.HEADER + maskList.length * MacMask.DIRECTIVE, Aoe.MIN_FRAME));
            repairs++;
        }
    }

    private void remember(long mac) {
        recentAdders.remove(mac);
        recentAdders.addFirst(mac);
        while (recentAdders.size() > 64) {
            recentAdders.removeLast();
        }
    }

    // =========================================================================================
    // Heal: read the export's state back and clean it
    // =========================================================================================

    /** Ends with: mask list empty or just our MAC, no reservation, empty config string. */
    private boolean heal() throws InterruptedException {
        Thread.sleep(500);                 // let the target drain the fuzz
        healReplies.clear();
        long[] list = maskRead(myMac);
        String how = "direct";
        if (list == null) {
            how = "locked-out";
            List<Long> candidates = new ArrayList<>(recentAdders);
            for (long from : candidates) {
                long[] l = maskRead(from);
                if (l != null) {
                    // delete everything from a MAC on the list: the list ends empty (open to all)
                    maskEdit(from, l);
                    how = "via " + Mac.format(from);
                    break;
                }
            }
            list = maskRead(myMac);
            if (list == null) {
                System.out.println("heal mask=unreachable how=" + how);
                return false;
            }
        }
        long[] others = java.util.Arrays.stream(list).filter(m -> m != myMac).toArray();
        if (others.length > 0) {
            long[] after = maskEdit(myMac, others);
            list = after == null ? maskRead(myMac) : after;
            if (list == null) {
                System.out.println("heal mask=unreachable-after-edit");
                return false;
            }
        }
        long[] res = reserveForce(myMac);
        byte[] cfg = configForce(myMac);
        long[] finalMask = maskRead(myMac);
        long[] finalRes = reserveRead(myMac);
        boolean ok = finalMask != null && java.util.Arrays.stream(finalMask).allMatch(m -> m == myMac)
                && res != null && finalRes != null && finalRes.length == 0 && cfg != null && cfg.length == 0;
        System.out.printf("heal how=%s mask=%s reservation=%s config-length=%s%n", how,
                finalMask == null ? "?" : macs(finalMask), finalRes == null ? "?" : macs(finalRes),
                cfg == null ? "?" : String.valueOf(cfg.length));
        return ok;
    }

    private static String macs(long[] l) {
        StringBuilder sb = new StringBuilder("[");
        for (long m : l) {
            sb.append(sb.length() > 1 ? "," : "").append(Mac.format(m));
        }
        return sb.append(']').toString();
    }

    private ByteBuffer ask(long from, int command, java.util.function.IntUnaryOperator body) throws InterruptedException {
        return ask(from, command, body, 4);
    }

    private ByteBuffer ask(long from, int command, java.util.function.IntUnaryOperator body, int tries)
            throws InterruptedException {
        for (int attempt = 0; attempt < tries; attempt++) {
            int tag = HEAL_BASE | healTag++;
            aux.clear();
            java.util.Arrays.fill(aux.array(), 0, 2048, (byte) 0);
            Aoe.putHeader(aux, targetMac, from, 0, 0, shelf, slot, command, tag);
            int n = body.applyAsInt(0);
            aux.limit(Math.max(n, Aoe.MIN_FRAME)).position(0);
            link.send(aux);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < end) {
                ByteBuffer r = healReplies.poll(50, TimeUnit.MILLISECONDS);
                if (r != null && Aoe.tag(r) == tag) {
                    return r;
                }
            }
        }
        return null;
    }

    private long[] maskList(ByteBuffer r) {
        if (r == null || Aoe.isError(r) || r.limit() < MacMask.HEADER || !MacMask.directivesFit(r)) {
            return null;
        }
        long[] l = new long[MacMask.directiveCount(r)];
        for (int i = 0; i < l.length; i++) {
            l[i] = MacMask.directiveMac(r, i);
        }
        return l;
    }

    private long[] maskRead(long from) throws InterruptedException {
        return maskRead(from, 4);
    }

    private long[] maskRead(long from, int tries) throws InterruptedException {
        return maskList(ask(from, Aoe.CMD_MASK, x -> {
            MacMask.putHeader(aux, MacMask.READ, 0, 0);
            return MacMask.HEADER;
        }, tries));
    }

    private long[] maskEdit(long from, long[] delete) throws InterruptedException {
        return maskList(ask(from, Aoe.CMD_MASK, x -> {
            MacMask.putHeader(aux, MacMask.EDIT, 0, delete.length);
            for (int i = 0; i < delete.length; i++) {
                MacMask.putDirective(aux, i, MacMask.DIR_DELETE, delete[i]);
            }
            return MacMask.HEADER + delete.length * MacMask.DIRECTIVE;
        }));
    }

    private long[] reserveList(ByteBuffer r) {
        if (r == null || Aoe.isError(r) || !Reserve.macsFit(r)) {
            return null;
        }
        long[] l = new long[Reserve.count(r)];
        for (int i = 0; i < l.length; i++) {
            l[i] = Reserve.mac(r, i);
        }
        return l;
    }

    private long[] reserveForce(long from) throws InterruptedException {
        return reserveList(ask(from, Aoe.CMD_RESERVE, x -> Reserve.put(aux, Reserve.FORCE_SET, new long[0])));
    }

    private long[] reserveRead(long from) throws InterruptedException {
        return reserveList(ask(from, Aoe.CMD_RESERVE, x -> Reserve.put(aux, Reserve.READ, new long[0])));
    }

    private byte[] configForce(long from) throws InterruptedException {
        ByteBuffer r = ask(from, Aoe.CMD_CONFIG, x -> Config.put(aux, 0, 0, 0, Config.FORCE_SET, new byte[0]));
        if (r == null || Aoe.isError(r) || !Config.stringFits(r)) {
            return null;
        }
        return Config.string(r);
    }

    // =========================================================================================
    // Receiving
    // =========================================================================================

    @Override
    public void onFrame(Link l, ByteBuffer r) {
        if (r.limit() < Aoe.HEADER || Aoe.src(r) != targetMac) {
            return;
        }
        int tag = Aoe.tag(r);
        if ((tag & 0xff00_0000) == HEAL_BASE) {
            ByteBuffer copy = ByteBuffer.allocate(r.limit());
            copy.put(0, r, 0, r.limit());
            healReplies.add(copy);
            return;
        }
        int sh = Aoe.shelf(r);
        int sl = Aoe.slot(r);
        boolean advert = tag == 0 && Aoe.command(r) == Aoe.CMD_CONFIG;
        if (advert) {
            return;                                     // advertisements (export start, config edits)
        }
        replies.incrementAndGet();
        if (Aoe.isError(r)) {
            aoeErrorReplies.incrementAndGet();
        } else if (Aoe.command(r) == Aoe.CMD_ATA && r.limit() >= Ata.HEADER && (Ata.status(r) & Ata.STATUS_ERR) != 0) {
            ataErrorReplies.incrementAndGet();
        }
        if (Aoe.version(r) != Aoe.VERSION || !Aoe.isResponse(r)) {
            violation("reply with version " + Aoe.version(r) + " flags " + Aoe.flags(r));
        }
        if (Aoe.isBroadcastAddress(sh, sl)) {
            violation("reply names the broadcast address " + sh + "." + sl);
        }
        if (sh == pShelf && sl == pSlot) {
            violation("the protected export answered a request (tag " + Integer.toHexString(tag) + ")");
        }
        if ((tag & 0xc000_0000) == TRACK_BIT && expect != null) {
            int s = tag & 0x3fff_ffff;
            if (s < expect.length) {
                trackedReplies.incrementAndGet();
                int e = expect[s];
                if (e != 0) {
                    violation("reply to frame " + s + " which must get none (" + why(e) + "), command "
                            + Aoe.command(r) + (Aoe.isError(r) ? " error " + Aoe.error(r) : "")
                            + "\n  request " + java.util.HexFormat.of().formatHex(sentHeads, s * HEAD, s * HEAD + HEAD)
                            + " len=" + sentLens[s % sentLens.length]
                            + "\n  reply   " + java.util.HexFormat.of().formatHex(r.array(), 0, Math.min(HEAD, r.limit()))
                            + " len=" + r.limit() + carriers(tag));
                }
            }
        }
    }

    /** Other fuzz frames that carried these tag bytes anywhere in their first bytes. */
    private String carriers(int tag) {
        StringBuilder sb = new StringBuilder();
        byte[] t = {(byte) (tag >>> 24), (byte) (tag >>> 16), (byte) (tag >>> 8), (byte) tag};
        int n = Math.min(seq, expect.length);
        for (int i = 0; i < n && sb.length() < 2000; i++) {
            for (int o = 12; o + 4 <= HEAD; o++) {
                int b = i * HEAD + o;
                if (sentHeads[b] == t[0] && sentHeads[b + 1] == t[1] && sentHeads[b + 2] == t[2] && sentHeads[b + 3] == t[3]) {
                    sb.append("\n  carrier seq=").append(i).append(" at ").append(o).append(' ')
                            .append(java.util.HexFormat.of().formatHex(sentHeads, i * HEAD, i * HEAD + HEAD))
                            .append(" len=").append(sentLens[i % sentLens.length]);
                }
            }
        }
        return sb.toString();
    }

    private static String why(int e) {
        List<String> w = new ArrayList<>();
        if ((e & NR_RFLAG) != 0) {
            w.add("R flag set");
        }
        if ((e & NR_BCAST_ATA) != 0) {
            w.add("ATA to a broadcast address");
        }
        if ((e & NR_PROTECTED) != 0) {
            w.add("masked-out source");
        }
        if ((e & NR_BCAST_MODIFY) != 0) {
            w.add("broadcast state change");
        }
        return String.join(", ", w);
    }

    private void violation(String what) {
        violations.incrementAndGet();
        synchronized (violationSamples) {
            if (violationSamples.size() < 20) {
                violationSamples.add(what);
            }
        }
    }

    private void report(boolean healed) {
        for (var e : byClass.entrySet()) {
            System.out.printf("sent class=%s frames=%d%n", e.getKey(), e.getValue());
        }
        for (var e : byTemplate.entrySet()) {
            System.out.printf("sent template=%s frames=%d%n", e.getKey(), e.getValue());
        }
        for (var e : byMutation.entrySet()) {
            System.out.printf("sent mutation=%s frames=%d%n", e.getKey(), e.getValue());
        }
        synchronized (violationSamples) {
            for (String v : violationSamples) {
                System.out.println("violation " + v);
            }
        }
        System.out.printf("summary fuzz-frames=%d lockouts=%d unreachable=%d repairs=%d skipped=%d wire-frames=%d send-failures=%d replies=%d "
                        + "aoe-error-replies=%d ata-error-replies=%d tracked-replies=%d violations=%d healed=%s%n",
                seq, lockouts, unreachable, repairs, skipped, sentTotal, sendFailures, replies.get(), aoeErrorReplies.get(),
                ataErrorReplies.get(), trackedReplies.get(), violations.get(), healed);
    }
}
