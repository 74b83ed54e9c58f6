package org.aoede.extension.tagtrack;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.zip.CRC32;

import org.aoede.api.BlockStore;
import org.aoede.api.ExportHandle;
import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tag tracking ({@code tag_inc_le}, {@code tag_inc_be}): for an initiator that negotiated
 * monotonic tags (a 32-bit counter, little- or big-endian in the tag field), what became of each of
 * its recent tags, so that a duplicate arriving late never does a write twice.
 *
 * <p>Two windows per initiator, both sliding with the highest tag seen (32-bit wrap-around allowed):
 * <ul>
 * <li><b>History</b>, {@code tagtrack.history} tags (default 32,768; a power of two in [1,024,
 * 1,048,576], other values are rounded up or capped, with a warning naming the key): per tag its
 * state (new, in progress, answered, answered with an error) and a fingerprint of the request. A
 * late copy of a write that was answered is acknowledged (status DRDY, the request's AoE and ATA
 * headers echoed, no data: the reply the export gave, built from the request) and not applied
 * again, at any age inside the history. At 60,000 requests/s the default covers copies about
 * half a second late; 50 ms late is 3,000 tags.</li>
 * <li><b>Replay cache</b>, {@link ExtensionContext#bufferCount()} rounded up to a power of two in
 * [16, 1024]: a copy of each recent reply as sent. A repeat in it is answered from the copy
 * (reads too, and error replies exactly as they were). A read older than it runs again (harmless);
 * a write whose original got an error and that is older than it gets no reply (its reply is gone;
 * applying it could land over newer data; the initiator had its answer).</li>
 * </ul>
 * A repeat whose original is still being handled gets no answer (the original's reply answers
 * it). A "repeat" is the same tag and the same request bytes after the AoE header (CRC32 and
 * length): a tag reused for a different request (an initiator restarted without {@code reset})
 * is handled as new ({@code tag-conflict}). A tag never seen inside the history is new.
 *
 * <p><b>Tags older than the history</b> ({@code tag-too-old}): a write is dropped without reply, a
 * read or other command is served. Such a write is ambiguous: a stale copy (applying it may land
 * over newer data) or a retransmission
 * nobody waits for any more (retransmissions of a monotonic-tag initiator take new tags, so one
 * that still waits has long sent the data again under a newer tag). Dropping is the only answer
 * that can neither corrupt data nor acknowledge a write that was not done. The price: an
 * initiator whose counter went back by more than the history without {@code reset} (restarted)
 * has its writes dropped until it negotiates {@code reset} — which clears all of this.
 *
 * <p>Memory per initiator that negotiated: history × 5 bytes (160 KiB for 32,768 tags; 5 MiB at
 * the cap) plus the replay cache, window × (largest reply + 8) bytes (64 × 1514 ≈ 95 KiB at MTU
 * 1500, 64 × 9014 ≈ 564 KiB at MTU 9000 with the default buffer count). Slots are allocated once
 * and reused: the steady state allocates nothing per frame.
 *
 * <p>Initiators that negotiated neither name, or both (ambiguous), are not touched.
 * {@code tag_random} is not provided: for random tags there is nothing to track, and accepting
 * it would announce a feature that does nothing. List {@code tagtrack} before {@code crc}: then
 * its copy is the reply as sent, CRC included, and a replay costs no CRC (in the other order the
 * target passes each replay through crc's reply hook, which appends a fresh one).
 */
@Component(service = Extension.class, property = Extension.NAME + "=tagtrack")
public final class TagTrack implements Extension {
    public static final String LE = "tag_inc_le";
    public static final String BE = "tag_inc_be";
    /** Per-initiator state in {@link ExtensionContext#attributes()}. */
    static final String KEY = "tagtrack.window";
    /** The export's setting {@code tagtrack.history}: tags remembered per initiator. */
    static final String HISTORY = "history";
    static final String REPLAY = "tag-replay";
    static final String REPLAY_WRITE = "tag-replay-write";
    static final String ACK_WRITE = "tag-ack-write";
    static final String READ_AGAIN = "tag-read-again";
    static final String DROPPED = "tag-dropped";
    static final String IN_FLIGHT = "tag-in-flight";
    static final String TOO_OLD = "tag-too-old";
    static final String CONFLICT = "tag-conflict";
    static final int MIN_WINDOW = 16;
    static final int MAX_WINDOW = 1024;
    static final int DEFAULT_HISTORY = 32768;
    static final int MIN_HISTORY = 1024;
    static final int MAX_HISTORY = 1 << 20;
    private static final Set<String> PROVIDES = Set.of(LE, BE);
    private static final Logger LOG = LoggerFactory.getLogger(TagTrack.class);

    private static final byte NEW = 0, PENDING = 1, DONE = 2, FAILED = 3;

    /** {@code tagtrack.history} by export name, from {@link #wrap} (which sees the export's settings). */
    private final ConcurrentMap<String, Integer> histories = new ConcurrentHashMap<>();

    /** One initiator's history and replay cache; guarded by itself. */
    static final class Window {
        final int history;
        final int hmask;
        /** Per tag of the history (index tag & hmask): NEW, PENDING, DONE or FAILED. */
        final byte[] state;
        /** Per tag of the history: the request's fingerprint. */
        final int[] print;
        final int replay;
        final int rmask;
        /** Per slot of the replay cache (index tag & rmask): whose reply it holds, its length, the bytes. */
        final int[] replyTag;
        final int[] replyLength;
        final byte[][] replies;
        final CRC32 crc = new CRC32();
        boolean any;
        int highest;
        /** The largest reply stored so far: a slot grows to it at once, not step by step. */
        int largest;

        Window(int history, int replay) {
            this.history = history;
            this.hmask = history - 1;
            state = new byte[history];
            print = new int[history];
            this.replay = replay;
            this.rmask = replay - 1;
            replyTag = new int[replay];
            replyLength = new int[replay];
            replies = new byte[replay][];
        }

        /** CRC32 of the request after the AoE header (ATA header and data), mixed with its length. */
        int fingerprint(ByteBuffer request) {
            crc.reset();
            int pos = request.position();
            int lim = request.limit();
            request.position(Math.min(Aoe.HEADER, lim));
            crc.update(request);
            request.position(pos);
            return (int) crc.getValue() ^ lim * 0x9E3779B1;
        }

        /** The history moves up to {@code tag}: the slots of the tags it passes forget their old tags. */
        void slide(int tag) {
            if (tag - highest >= history) {
                Arrays.fill(state, NEW);
            } else {
                for (int t = highest + 1; t != tag + 1; t++) {
                    state[t & hmask] = NEW;
                }
            }
            highest = tag;
        }
    }

    @Override
    public Set<String> provides() {
        return PROVIDES;
    }

    /** Reads {@code tagtrack.history} for the export; the store is not wrapped. */
    @Override
    public BlockStore wrap(ExportHandle export, Map<String, String> settings, BlockStore store) {
        String exportName = export.name();
        for (String k : settings.keySet()) {
            if (!k.equals(HISTORY)) {
                LOG.warn("export {}: unknown setting tagtrack.{} ignored", exportName, k);
            }
        }
        histories.put(exportName, historySize(exportName, settings.get(HISTORY)));
        return store;
    }

    /** {@code tagtrack.history}: a power of two in [MIN_HISTORY, MAX_HISTORY]; others rounded up or capped, said in the log. */
    static int historySize(String exportName, String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_HISTORY;
        }
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            LOG.error("export {}: tagtrack.history = {} is not a number of tags; using {}", exportName, value.trim(),
                    DEFAULT_HISTORY);
            return DEFAULT_HISTORY;
        }
        int h = (int) Math.max(MIN_HISTORY, Math.min(MAX_HISTORY, n));
        h = Integer.highestOneBit(h - 1) << 1;
        if (h != n) {
            LOG.warn("export {}: tagtrack.history = {} taken as {} (a power of two from {} to {} tags, {} bytes per initiator)",
                    exportName, n, h, MIN_HISTORY, MAX_HISTORY, 5L * h);
        }
        return h;
    }

    /** Replay cache size for a buffer count: a power of two in [16, 1024]. */
    static int windowSize(int bufferCount) {
        int n = Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, bufferCount));
        return Integer.highestOneBit(n - 1) << 1;
    }

    /** The tag as the initiator's counter, or Long.MIN_VALUE when not tracked. */
    private static long counter(ExtensionContext ctx, ByteBuffer request) {
        Set<String> n = ctx.negotiated();
        if (n.isEmpty()) {
            return Long.MIN_VALUE;
        }
        boolean le = n.contains(LE);
        boolean be = n.contains(BE);
        if (le == be) {
            return Long.MIN_VALUE;                  // neither, or both: ambiguous, not tracked
        }
        int tag = Aoe.tag(request);
        return le ? Integer.reverseBytes(tag) : tag;
    }

    private Window window(ExtensionContext ctx) {
        ConcurrentMap<String, Object> attrs = ctx.attributes();
        Integer configured = histories.get(ctx.exportName());
        int history = configured == null ? DEFAULT_HISTORY : configured;   // no boxing per frame
        int replay = windowSize(ctx.bufferCount());
        Object o = attrs.get(KEY);
        // a new size, or another version of this bundle left its own class behind: start over
        if (o instanceof Window w && w.history == history && w.replay == replay) {
            return w;
        }
        Window w = new Window(history, replay);
        Object prev = o == null ? attrs.putIfAbsent(KEY, w) : (attrs.replace(KEY, o, w) ? null : attrs.get(KEY));
        return prev instanceof Window p && p.history == history && p.replay == replay ? p : w;
    }

    private static boolean isWrite(ByteBuffer request) {
        return request.limit() >= Ata.HEADER && (Ata.aflags(request) & Ata.AFLAG_WRITE) != 0;
    }

    @Override
    public int beforeAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply) {
        long c = counter(ctx, request);
        if (c == Long.MIN_VALUE) {
            return PASS;
        }
        int tag = (int) c;
        Window w = window(ctx);
        synchronized (w) {
            if (!w.any) {
                w.any = true;
                w.highest = tag;
            }
            int d = tag - w.highest;                // 32-bit wrap-around
            if (d > 0) {
                w.slide(tag);
                d = 0;
            } else if (d <= -w.history) {
                ctx.count(TOO_OLD);                 // ambiguous (see the class comment): never a write
                return isWrite(request) ? NO_REPLY : PASS;
            }
            int h = tag & w.hmask;
            int fp = w.fingerprint(request);
            byte st = w.state[h];
            if (st != NEW) {
                if (w.print[h] == fp) {
                    return repeat(ctx, w, st, tag, d, request, reply);
                }
                ctx.count(CONFLICT);                // same tag, another request: a new one
            }
            w.state[h] = PENDING;
            w.print[h] = fp;
            return PASS;
        }
    }

    /** A repeat of a tag in the history, in state {@code st}, {@code d} (<= 0) tags behind the highest. */
    private static int repeat(ExtensionContext ctx, Window w, byte st, int tag, int d, ByteBuffer request, ByteBuffer reply) {
        if (st == PENDING) {
            ctx.count(IN_FLIGHT);
            return NO_REPLY;                        // the original's reply answers it
        }
        boolean write = isWrite(request);
        int r = tag & w.rmask;
        if (d > -w.replay && w.replyTag[r] == tag && w.replyLength[r] > 0) {
            int n = w.replyLength[r];
            ctx.respond(request, reply, Aoe.ETH_HEADER);   // addressed from this interface
            reply.put(Aoe.ETH_HEADER, w.replies[r], Aoe.ETH_HEADER, n - Aoe.ETH_HEADER);
            ctx.count(REPLAY);
            if (write) {
                ctx.count(REPLAY_WRITE);
            }
            return n;
        }
        if (!write) {
            ctx.count(READ_AGAIN);
            return PASS;                            // a read done again is harmless
        }
        if (st == FAILED) {
            ctx.count(DROPPED);                     // its error reply is gone; never apply it late
            return NO_REPLY;
        }
        // the reply the export gave: the request's headers, DRDY, no error, no data
        int n = ctx.respond(request, reply, Ata.HEADER);
        Ata.setStatus(reply, Ata.STATUS_DRDY);
        Ata.setErrorReg(reply, 0);
        ctx.count(ACK_WRITE);
        return n;
    }

    @Override
    public int afterAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply, int length) {
        if (length < Aoe.ETH_HEADER) {
            return length;
        }
        long c = counter(ctx, request);
        if (c == Long.MIN_VALUE) {
            return length;
        }
        int tag = (int) c;
        Object o = ctx.attributes().get(KEY);
        if (!(o instanceof Window w)) {
            return length;
        }
        synchronized (w) {
            int d = tag - w.highest;
            int h = tag & w.hmask;
            if (d <= -w.history || w.state[h] != PENDING) {
                return length;                      // out of the history, or not ours (a read done again)
            }
            boolean ok = length >= Ata.HEADER && !Aoe.isError(reply) && (Ata.status(reply) & Ata.STATUS_ERR) == 0;
            w.state[h] = ok ? DONE : FAILED;
            if (d <= -w.replay) {
                return length;                      // its replay slot belongs to a newer tag by now
            }
            int r = tag & w.rmask;
            byte[] b = w.replies[r];
            if (b == null || b.length < length) {
                w.largest = Math.max(w.largest, length);
                b = new byte[w.largest];            // once per slot (and frame size): reused afterwards
                w.replies[r] = b;
            }
            reply.get(0, b, 0, length);
            w.replyTag[r] = tag;
            w.replyLength[r] = length;
        }
        return length;
    }
}
