package org.aoede.initiator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Reserve;

/**
 * Command line: {@code java -jar aoede-initiator.jar COMMAND -i IFACE [SHELF.SLOT] [options]}. Output
 * is one {@code key=value} line per result on stdout; problems go to stderr. Exit 0 on success, 1 on
 * failure (no reply, AoE or ATA error, mismatch), 2 on bad usage.
 */
public final class Cli {
    static final String USAGE = String.join("\n",
            "usage: aoede-initiator COMMAND -i IFACE [SHELF.SLOT] [options]",
            "  discover [--wait-ms N] [SHELF.SLOT]           query config (default 65535.255), list replies",
            "  identify SHELF.SLOT                           ATA IDENTIFY: model, serial, firmware, capacity",
            "  read SHELF.SLOT --lba N --count N [--out FILE] [--coalesced]   --coalesced: one 0x24 frame per batch (negotiate coalesced_read first)",
            "  negotiate SHELF.SLOT NAME...                  AoE 0x23: e.g. reset congestion 5 coalesced_read crc8x4",
            "  write SHELF.SLOT --lba N --count N [--in FILE | --pattern SEED]",
            "  verify SHELF.SLOT [--seed S] [--count-frames N | --all] [--qd N] [--phase both|write|read] [--passes N] [--min-seconds S]",
            "                  [--lba N --count N] [--generations N]   a region only; N rounds of write seed+g, read back",
            "  flush SHELF.SLOT                              FLUSH CACHE EXT (0xEA)",
            "  ata SHELF.SLOT --cmd HEX [--aflags HEX] [--feature HEX] [--count N] [--lba N] [--out FILE]",
            "  config SHELF.SLOT [--read | --test STR | --prefix STR | --set STR | --force-set STR]",
            "  mask SHELF.SLOT [--add MAC]... [--del MAC]... [--bad-directive]",
            "  reserve SHELF.SLOT [--read | --set MAC,.. | --force MAC,.. | --release]",
            "  bench SHELF.SLOT --pattern randread|randwrite|seqread|seqwrite [--sectors N] [--qd N] [--seconds S] [--warmup S]",
            "common: --timeout-ms N (first retransmit, default 250) --tries N (default 8)",
            "        --transport pcap|afpacket (default pcap; afpacket: native AF_PACKET sockets, Linux only, much faster)",
            "        --crc (negotiate crc8x4 first: writes carry CRC8x4, data replies are checked; not for discover/config)",
            "        --crc-corrupt N (with --crc, tests: the first send of the next N writes has a wrong CRC)",
            "        --tags inc-le|inc-be (negotiate tag_inc_le/tag_inc_be first: consecutive tags in that byte order)",
            "        --dup-reorder (tests: ATA requests duplicated and reordered on purpose, under their own tags;",
            "                       with --crc the late replies to duplicates are CRC-checked too)",
            "        --dup-delay-ms N [--dup-percent P] (tests: P % (default 20) of ATA requests sent once more,",
            "                       0 to N ms later, under their tag; verify reads back once more N ms after the end)",
            "        --first-tag N (tests: the tag counter starts at N, after the negotiations)",
            "        --mac MAC (ask only the target with this MAC, not the first to answer a broadcast)");

    private static final Set<String> FLAGS = Set.of("--read", "--release", "--all", "--bad-directive", "--help", "-h", "--crc", "--coalesced", "--dup-reorder");

    private Cli() {
    }

    public static void main(String[] argv) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command; returns the exit code. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a;
        try {
            a = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (a.command == null || a.has("--help") || a.has("-h")) {
            (a.command == null ? err : out).println(USAGE);
            return a.command == null ? 2 : 0;
        }
        AoeClient.Options o = new AoeClient.Options();
        try {
            o.timeoutMs = a.num("--timeout-ms", o.timeoutMs);
            o.tries = (int) a.num("--tries", o.tries);
            o.window = (int) a.num("--qd", o.window);
            String iface = a.one("-i");
            if (iface == null) {
                throw new IllegalArgumentException("-i IFACE is required");
            }
            checkKnown(a);
            String transport = a.one("--transport") == null ? "pcap" : a.one("--transport");
            FaultyLink faults = faults(a);
            AoeClient.LinkOpener real = handler -> AoeClient.openLink(iface, transport, handler);
            try (AoeClient c = AoeClient.open(o, faults == null ? real : client -> faults.open(client, real))) {
                return dispatch(a, c, faults, o, out, err);
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (AtaErrorException e) {
            out.printf("ata-error status=0x%02x error=0x%02x%n", e.status(), e.error());
            err.println("error: " + e.getMessage());
            return 1;
        } catch (AoeErrorException e) {
            out.printf("aoe-error=%d%n", e.code());
            err.println("error: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static final Map<String, Set<String>> OPTIONS = Map.ofEntries(
            Map.entry("discover", Set.of("--wait-ms")),
            Map.entry("identify", Set.of()),
            Map.entry("read", Set.of("--lba", "--count", "--out", "--coalesced")),
            Map.entry("negotiate", Set.of()),
            Map.entry("write", Set.of("--lba", "--count", "--in", "--pattern")),
            Map.entry("verify", Set.of("--seed", "--count-frames", "--all", "--phase", "--passes", "--min-seconds", "--lba",
                    "--count", "--generations")),
            Map.entry("flush", Set.of()),
            Map.entry("ata", Set.of("--cmd", "--aflags", "--feature", "--count", "--lba", "--out")),
            Map.entry("config", Set.of("--read", "--test", "--prefix", "--set", "--force-set")),
            Map.entry("mask", Set.of("--add", "--del", "--bad-directive")),
            Map.entry("reserve", Set.of("--read", "--set", "--force", "--release")),
            Map.entry("bench", Set.of("--pattern", "--sectors", "--seconds", "--warmup")));

    /** Options every command takes. */
    private static final Set<String> COMMON = Set.of("-i", "--timeout-ms", "--tries", "--qd", "--transport", "--crc",
            "--crc-corrupt", "--tags", "--dup-reorder", "--dup-delay-ms", "--dup-percent", "--first-tag", "--mac");

    private static void checkKnown(Args a) {
        Set<String> allowed = OPTIONS.get(a.command);
        if (allowed == null) {
            throw new IllegalArgumentException("unknown command '" + a.command + "'");
        }
        for (String k : a.opts.keySet()) {
            if (!allowed.contains(k) && !COMMON.contains(k)) {
                throw new IllegalArgumentException("option " + k + " does not apply to " + a.command);
            }
        }
    }

    /** The faults the options ask for (tests), or null for none. */
    static FaultyLink faults(Args a) {
        int dupDelayMs = (int) a.num("--dup-delay-ms", 0);
        int crcCorrupt = a.has("--crc") ? (int) a.num("--crc-corrupt", 0) : 0;
        if (!a.has("--dup-reorder") && dupDelayMs == 0 && crcCorrupt == 0) {
            return null;
        }
        FaultyLink f = new FaultyLink();
        f.duplicateAndReorder(a.has("--dup-reorder"));
        f.delayDuplicates(dupDelayMs, (int) a.num("--dup-percent", 20));
        f.corruptCrcOfNextWrites(crcCorrupt);
        f.checkCrcOfLateReplies(a.has("--crc"));
        return f;
    }

    private static int dispatch(Args a, AoeClient c, FaultyLink faults, AoeClient.Options o, PrintStream out,
                                PrintStream err) throws IOException {
        if (a.command.equals("discover")) {
            int[] addr = a.positional.isEmpty() ? new int[] {Aoe.BROADCAST_SHELF, Aoe.BROADCAST_SLOT} : address(a);
            List<TargetInfo> found = c.discover(addr[0], addr[1], a.num("--wait-ms", 1000));
            found.forEach(t -> out.println(t.describe()));
            if (found.isEmpty()) {
                err.println("error: no AoE targets answered");
                return 1;
            }
            return 0;
        }
        if (a.command.equals("negotiate")) {
            return negotiate(a, c, out);
        }
        int[] addr = address(a);
        if (a.command.equals("config")) {
            return config(a, c, o, addr, out);
        }
        TargetInfo t = a.one("--mac") == null ? c.find(addr[0], addr[1])
                : c.config(Mac.parse(a.one("--mac")), addr[0], addr[1], Config.READ, new byte[0], o.tries);
        if (a.has("--crc")) {
            // CRC8x4: negotiate it first; then every write carries it and every data reply is checked
            if (!c.negotiateCrc(t)) {
                err.println("error: " + t.address() + " did not accept crc8x4");
                return 1;
            }
            out.println("negotiated target=" + t.address() + " crc8x4");
        }
        if (a.opts.containsKey("--tags")) {
            String mode = a.one("--tags");
            if (!mode.equals("inc-le") && !mode.equals("inc-be")) {
                throw new IllegalArgumentException("--tags takes inc-le or inc-be");
            }
            if (!c.negotiateTags(t, mode.equals("inc-le"))) {
                err.println("error: " + t.address() + " did not accept tag_" + mode.replace('-', '_'));
                return 1;
            }
            out.println("negotiated target=" + t.address() + " tag_" + mode.replace('-', '_'));
        }
        if (a.one("--first-tag") != null) {
            c.firstTag((int) a.num("--first-tag", 1));
        }
        try {
            return run(a, c, t, o, out, err);
        } finally {
            if (a.has("--dup-reorder")) {
                out.printf("dup-reorder target=%s duplicated=%d reordered=%d stale=%d stale-crc-checked=%d%n", t.address(),
                        faults.duplicated(), faults.reordered(), c.staleReplies(), faults.lateRepliesChecked());
            }
            if (a.num("--dup-delay-ms", 0) > 0) {
                out.printf("dup-delay target=%s delayed=%d max-delay-ms=%d percent=%d%n", t.address(),
                        faults.delayedDuplicates(), a.num("--dup-delay-ms", 0), a.num("--dup-percent", 20));
            }
            if (a.has("--crc")) {
                long lateErrors = faults == null ? 0 : faults.lateCrcErrors();
                out.printf("crc target=%s checked=%d errors=%d retransmits=%d%n", t.address(), c.crcChecked(),
                        c.crcErrors() + lateErrors, c.retransmits());
            }
        }
    }

    private static int run(Args a, AoeClient c, TargetInfo t, AoeClient.Options o, PrintStream out, PrintStream err) throws IOException {
        switch (a.command) {
            case "identify":
                out.println("identify target=" + t.address() + " " + c.identify(t).describe());
                return 0;
            case "read": {
                long lba = a.num("--lba", -1);
                int count = (int) a.num("--count", -1);
                need(lba >= 0 && count > 0, "read needs --lba N and --count N");
                long[] frames = {0};
                byte[] data = a.has("--coalesced") ? c.readCoalesced(t, lba, count, frames) : c.read(t, lba, count);
                if (a.has("--coalesced")) {
                    out.printf("coalesced target=%s frames=%d retransmits=%d%n", t.address(), frames[0], c.retransmits());
                }
                if (a.one("--out") != null) {
                    Files.write(Path.of(a.one("--out")), data);
                }
                out.printf("read target=%s lba=%d count=%d bytes=%d sha256=%s%n", t.address(), lba, count, data.length, sha256(data));
                return 0;
            }
            case "write": {
                long lba = a.num("--lba", -1);
                int count = (int) a.num("--count", -1);
                need(lba >= 0 && count > 0, "write needs --lba N and --count N");
                byte[] data;
                if (a.one("--in") != null) {
                    byte[] in = Files.readAllBytes(Path.of(a.one("--in")));
                    data = java.util.Arrays.copyOf(in, count * Ata.SECTOR);  // zero-padded or cut to size
                } else {
                    data = Pattern.of(a.num("--pattern", 0), lba, count);
                }
                c.write(t, lba, data, count);
                out.printf("write target=%s lba=%d count=%d bytes=%d sha256=%s%n", t.address(), lba, count, data.length, sha256(data));
                return 0;
            }
            case "verify": {
                long cap = c.identify(t).sectors();
                long frames = a.has("--all") ? -1 : a.num("--count-frames", 1024);
                String phase = a.one("--phase") == null ? "both" : a.one("--phase");
                if (!phase.matches("both|write|read")) {
                    throw new IllegalArgumentException("--phase must be both, write or read");
                }
                int passes = phase.equals("write") ? 0 : (int) a.num("--passes", 1);
                long first = a.num("--lba", 0);
                long sectors = a.num("--count", cap - first);
                need(first >= 0 && sectors > 0 && first + sectors <= cap, "--lba/--count: a region inside the "
                        + cap + " sectors of " + t.address());
                int generations = (int) a.num("--generations", 1);
                need(generations > 0, "--generations must be positive");
                // the late copies of the last writes are sent within the delay: read back after it once more
                long settleMs = a.num("--dup-delay-ms", 0) > 0 ? a.num("--dup-delay-ms", 0) + 100 : 0;
                return Workloads.verify(c, t, first, sectors, a.num("--seed", 1), frames, !phase.equals("read"), passes,
                        a.one("--min-seconds") == null ? 0 : Double.parseDouble(a.one("--min-seconds")), generations,
                        settleMs, out) == 0 ? 0 : 1;
            }
            case "flush":
                c.flush(t);
                out.println("flush target=" + t.address() + " ok");
                return 0;
            case "ata":
                return ata(a, c, t, out);
            case "mask":
                return mask(a, c, t, out);
            case "reserve":
                return reserve(a, c, t, out);
            case "bench": {
                long cap = c.identify(t).sectors();
                String pattern = a.one("--pattern");
                need(pattern != null, "bench needs --pattern");
                int sectors = (int) a.num("--sectors", c.sectorsPerFrame(t));
                need(sectors > 0, "--sectors must be positive");
                double secs = Double.parseDouble(a.one("--seconds") == null ? "5" : a.one("--seconds"));
                double warmup = Double.parseDouble(a.one("--warmup") == null ? "0" : a.one("--warmup"));
                need(warmup >= 0, "--warmup must not be negative");
                return Workloads.bench(c, t, cap, pattern, sectors, o.window, warmup, secs, out) == 0 ? 0 : 1;
            }
            default:
                throw new IllegalArgumentException("unknown command '" + a.command + "'");
        }
    }

    private static int ata(Args a, AoeClient c, TargetInfo t, PrintStream out) throws IOException {
        int cmd = (int) a.hex("--cmd", -1);
        need(cmd >= 0 && cmd <= 0xff, "ata needs --cmd HEX");
        int aflags = (int) a.hex("--aflags", 0);
        int count = (int) a.num("--count", 0);
        byte[] data = (aflags & Ata.AFLAG_WRITE) != 0 ? new byte[count * Ata.SECTOR] : null;  // W: zero sectors
        AtaReply r = c.ata(t, aflags, (int) a.hex("--feature", 0), count, cmd, a.num("--lba", 0), data);
        if (a.one("--out") != null) {
            Files.write(Path.of(a.one("--out")), r.data());
        }
        out.printf("status=0x%02x error=0x%02x datalen=%d%n", r.status(), r.error(), r.data().length);
        return r.failed() ? 1 : 0;
    }

    private static int config(Args a, AoeClient c, AoeClient.Options o, int[] addr, PrintStream out) throws IOException {
        int sub = Config.READ;
        String s = "";
        int given = 0;
        for (String[] kv : new String[][] {{"--test", "1"}, {"--prefix", "2"}, {"--set", "3"}, {"--force-set", "4"}}) {
            if (a.one(kv[0]) != null) {
                sub = Integer.parseInt(kv[1]);
                s = a.one(kv[0]);
                given++;
            }
        }
        need(given <= 1 && !(given == 1 && a.has("--read")), "config takes one of --read, --test, --prefix, --set, --force-set");
        byte[] str = Config.bytes(s);
        need(str.length <= Config.MAX_STRING, "config string longer than 1024 bytes");
        // A target whose string does not match a test stays silent: two tries are enough to tell.
        int tries = sub == Config.TEST_EXACT || sub == Config.TEST_PREFIX ? 2 : o.tries;
        try {
            TargetInfo t = c.config(Mac.BROADCAST, addr[0], addr[1], sub, str, tries);
            out.println("config reply " + t.describe().substring("target ".length()));
            return 0;
        } catch (NoReplyException e) {
            out.println("config no-reply");
            return 1;
        }
    }

    private static int mask(Args a, AoeClient c, TargetInfo t, PrintStream out) throws IOException {
        List<AoeClient.Directive> dirs = new ArrayList<>();
        a.all("--add").forEach(m -> dirs.add(new AoeClient.Directive(MacMask.DIR_ADD, Mac.parse(m))));
        a.all("--del").forEach(m -> dirs.add(new AoeClient.Directive(MacMask.DIR_DELETE, Mac.parse(m))));
        if (a.has("--bad-directive")) {
            dirs.add(new AoeClient.Directive(0x7f, c.link().mac()));  // no such directive: expect merror=2
        }
        AoeClient.MaskReply r = c.mask(t, dirs.isEmpty() ? MacMask.READ : MacMask.EDIT, dirs);
        StringBuilder macs = new StringBuilder();
        for (AoeClient.Directive d : r.list()) {
            macs.append(macs.length() == 0 ? "" : ",").append(Mac.format(d.mac()));
        }
        out.printf("mask target=%s merror=%d count=%d macs=%s%n", t.address(), r.merror(), r.list().size(), macs);
        return r.merror() == 0 ? 0 : 1;
    }

    private static int reserve(Args a, AoeClient c, TargetInfo t, PrintStream out) throws IOException {
        int sub = Reserve.READ;
        long[] macs = new long[0];
        if (a.one("--set") != null) {
            sub = Reserve.SET;
            macs = macs(a.one("--set"));
        } else if (a.one("--force") != null) {
            sub = Reserve.FORCE_SET;
            macs = macs(a.one("--force"));
        } else if (a.has("--release")) {
            sub = Reserve.SET;  // set with an empty list releases
        }
        long[] list = c.reserve(t, sub, macs);
        StringBuilder sb = new StringBuilder();
        for (long m : list) {
            sb.append(sb.length() == 0 ? "" : ",").append(Mac.format(m));
        }
        out.printf("reserve target=%s count=%d macs=%s%n", t.address(), list.length, sb);
        return 0;
    }

    private static long[] macs(String list) {
        return list.isBlank() ? new long[0]
                : java.util.Arrays.stream(list.split(",")).mapToLong(Mac::parse).toArray();
    }

    /** {@code negotiate SHELF.SLOT NAME...}: one 0x23 request; prints what was accepted. */
    private static int negotiate(Args a, AoeClient c, PrintStream out) throws IOException {
        need(a.positional.size() >= 1, "negotiate needs SHELF.SLOT and names");
        Args target = new Args();
        target.command = a.command;
        target.positional.add(a.positional.get(0));
        int[] addr = address(target);
        TargetInfo t = c.find(addr[0], addr[1]);
        Negotiated n = c.negotiate(t, a.positional.subList(1, a.positional.size()));
        out.println(n.describe(t.address()));
        return 0;
    }

    private static int[] address(Args a) {
        need(a.positional.size() == 1, a.command + " needs one target SHELF.SLOT");
        String s = a.positional.get(0);
        String[] p = s.split("\\.");
        need(p.length == 2, "target must be SHELF.SLOT, got '" + s + "'");
        int shelf = Integer.decode(p[0]);
        int slot = Integer.decode(p[1]);
        need(shelf >= 0 && shelf <= 0xffff && slot >= 0 && slot <= 0xff, "shelf 0..65535, slot 0..255: '" + s + "'");
        return new int[] {shelf, slot};
    }

    private static void need(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Quotes a string for a {@code key="value"} field: backslash, quote and control characters escaped. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                b.append('\\').append(ch);
            } else if (ch < 0x20 || ch == 0x7f) {
                b.append(String.format("\\x%02x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** Hand-written argument parsing: a command, {@code --opt value} pairs (repeatable), flags, positionals. */
    static final class Args {
        String command;
        final Map<String, List<String>> opts = new HashMap<>();
        final List<String> positional = new ArrayList<>();

        static Args parse(String[] argv) {
            Args a = new Args();
            for (int i = 0; i < argv.length; i++) {
                String s = argv[i];
                if (s.startsWith("-") && s.length() > 1 && !s.matches("-\\d.*")) {
                    String key = s;
                    String value = "";
                    int eq = s.indexOf('=');
                    if (eq > 0) {
                        key = s.substring(0, eq);
                        value = s.substring(eq + 1);
                    } else if (!FLAGS.contains(s)) {
                        if (i + 1 >= argv.length) {
                            throw new IllegalArgumentException("option " + s + " needs a value");
                        }
                        value = argv[++i];
                    }
                    a.opts.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                } else if (a.command == null) {
                    a.command = s;
                } else {
                    a.positional.add(s);
                }
            }
            return a;
        }

        boolean has(String k) {
            return opts.containsKey(k);
        }

        String one(String k) {
            List<String> v = opts.get(k);
            return v == null ? null : v.get(v.size() - 1);
        }

        List<String> all(String k) {
            return opts.getOrDefault(k, List.of());
        }

        long num(String k, long dflt) {
            String v = one(k);
            try {
                return v == null ? dflt : Long.decode(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k + " needs a number, got '" + v + "'");
            }
        }

        long hex(String k, long dflt) {
            String v = one(k);
            try {
                return v == null ? dflt : Long.parseLong(v.replaceFirst("^0[xX]", ""), 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k + " needs a hex number, got '" + v + "'");
            }
        }
    }
}
