package org.aoede.extension.tagtrack;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.zip.CRC32;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.osgi.service.component.annotations.Component;

/**
 * Tag tracking ({@code tag_inc_le}, {@code tag_inc_be}): for an initiator that negotiated
 * monotonic tags (a 32-bit counter, little- or big-endian in the tag field), a window of its
 * most recent tags. A repeat of a tag inside the window that was already answered is answered
 * again from a copy of the reply (reads and writes: a write is then acknowledged without being
 * applied a second time); a repeat whose original is still being handled gets no answer (the
 * original's reply answers it); a tag older than the window is handled normally (a late
 * retransmission of a lost write is applied, never acknowledged unapplied). A "repeat" is the
 * same tag and the same request bytes after the AoE header (CRC32): a tag reused for a
 * different request (an initiator restarted without {@code reset}) is handled as new.
 *
 * <p>Window: {@link ExtensionContext#bufferCount()} rounded up to a power of two, at least 16,
 * at most 1024 tags. The replay cache is one slot per tag of the window; a slot's buffer grows
 * to the largest reply it held (at most a frame) and is reused, so the steady state allocates
 * nothing. Memory per initiator: window × (largest reply) + window × about 25 bytes, e.g. 64 × 1514
 * ≈ 95 KiB at MTU 1500 and 64 × 9014 ≈ 564 KiB at MTU 9000 with the default buffer count 64.
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
    static final String KEY = "tagtrack.window";
    static final String REPLAY = "tag-replay";
    static final String REPLAY_WRITE = "tag-replay-write";
    static final String IN_FLIGHT = "tag-in-flight";
    static final String OLD = "tag-old";
    static final String CONFLICT = "tag-conflict";
    static final int MIN_WINDOW = 16;
    static final int MAX_WINDOW = 1024;
    private static final Set<String> PROVIDES = Set.of(LE, BE);

    private static final byte EMPTY = 0, PENDING = 1, ANSWERED = 2;

    /** One initiator's window and replay cache; guarded by itself. */
    static final class Window {
        final int size;
        final int mask;
        final int[] tags;
        final byte[] state;
        final long[] fingerprint;
        final int[] length;
        final byte[][] replies;
        final CRC32 crc = new CRC32();
        boolean any;
        int highest;
        /** The largest reply stored so far: a slot grows to it at once, not step by step. */
        int largest;

        Window(int size) {
            this.size = size;
            this.mask = size - 1;
            tags = new int[size];
            state = new byte[size];
            fingerprint = new long[size];
            length = new int[size];
            replies = new byte[size][];
        }

        /** CRC32 of the request after the AoE header (ATA header and data), plus its length. */
        long fingerprint(ByteBuffer request) {
            crc.reset();
            int pos = request.position();
            int lim = request.limit();
            request.position(Math.min(Aoe.HEADER, lim));
            crc.update(request);
            request.position(pos);
            return crc.getValue() | (long) lim << 32;
        }
    }

    @Override
    public Set<String> provides() {
        return PROVIDES;
    }

    /** Window size for a buffer count: a power of two in [16, 1024]. */
    static int windowSize(int bufferCount) {
        int n = Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, bufferCount));
        return Integer.highestOneBit(n - 1) << 1;
    }

    /** The tag as the initiator's counter, or null-equivalent: Long.MIN_VALUE when not tracked. */
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

    private static Window window(ExtensionContext ctx) {
        ConcurrentMap<String, Object> attrs = ctx.attributes();
        int size = windowSize(ctx.bufferCount());
        Object o = attrs.get(KEY);
        // another version of this bundle left its own class behind: start over (safe, see above)
        if (o instanceof Window w && w.size == size) {
            return w;
        }
        Window w = new Window(size);
        Object prev = o == null ? attrs.putIfAbsent(KEY, w) : (attrs.replace(KEY, o, w) ? null : attrs.get(KEY));
        return prev instanceof Window p && p.size == size ? p : w;
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
                w.highest = tag;                    // the window slides; older tags fall out
            } else if (d <= -w.size) {
                ctx.count(OLD);
                return PASS;                        // older than the window: handled normally
            }
            int slot = tag & w.mask;
            long fp = w.fingerprint(request);
            if (w.tags[slot] == tag && w.state[slot] != EMPTY) {
                if (w.fingerprint[slot] == fp) {
                    if (w.state[slot] == PENDING) {
                        ctx.count(IN_FLIGHT);
                        return NO_REPLY;            // the original's reply answers it
                    }
                    int n = w.length[slot];
                    ctx.respond(request, reply, Aoe.ETH_HEADER);   // addressed from this interface
                    reply.put(Aoe.ETH_HEADER, w.replies[slot], Aoe.ETH_HEADER, n - Aoe.ETH_HEADER);
                    ctx.count(REPLAY);
                    if (request.limit() >= Ata.HEADER && (Ata.aflags(request) & Ata.AFLAG_WRITE) != 0) {
                        ctx.count(REPLAY_WRITE);
                    }
                    return n;
                }
                ctx.count(CONFLICT);                // same tag, another request: a new one
            }
            w.tags[slot] = tag;
            w.state[slot] = PENDING;
            w.fingerprint[slot] = fp;
            return PASS;
        }
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
            int slot = tag & w.mask;
            if (w.tags[slot] != tag || w.state[slot] != PENDING) {
                return length;                      // an old tag, or the slot was taken meanwhile
            }
            byte[] b = w.replies[slot];
            if (b == null || b.length < length) {
                w.largest = Math.max(w.largest, length);
                b = new byte[w.largest];            // once per slot (and frame size): reused afterwards
                w.replies[slot] = b;
            }
            reply.get(0, b, 0, length);
            w.length[slot] = length;
            w.state[slot] = ANSWERED;
        }
        return length;
    }
}
