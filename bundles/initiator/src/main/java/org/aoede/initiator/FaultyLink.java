package org.aoede.initiator;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;

/**
 * For tests: a link that does on purpose what a bad network does to ATA requests, between an
 * {@link AoeClient} and the real link. The client stays a plain initiator; the command line's
 * {@code --dup-reorder}, {@code --dup-delay-ms}/{@code --dup-percent} and {@code --crc-corrupt} put
 * this in front of it. Only ATA requests are touched, always under the tag they were sent with:
 * <ul>
 * <li>{@link #duplicateAndReorder}: every third is sent twice at once, every fifth is held back and
 * sent after the next one, every seventh is sent again seven requests later;</li>
 * <li>{@link #delayDuplicates}: a share of them is sent once more after a random delay;</li>
 * <li>{@link #corruptCrcOfNextWrites}: the next writes go out with a wrong CRC8x4 (lane 0 flipped);
 * their retransmissions, later sends of the same request, are right.</li>
 * </ul>
 * With {@link #checkCrcOfLateReplies} the second and later replies to a duplicated request (the
 * client waits only for the first) have their CRC checked as well.
 */
public final class FaultyLink implements Link, FrameHandler {
    private volatile Link inner;
    private volatile FrameHandler handler;
    private volatile boolean closed;

    private volatile boolean dupReorder;
    private final Object lock = new Object();
    private long seq;
    private ByteBuffer held;
    private ByteBuffer late;
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();

    private volatile int dupDelayMs;
    private volatile int dupPercent;
    private ScheduledExecutorService delayer;      // made by delayDuplicates, under lock
    private final AtomicLong delayed = new AtomicLong();

    private final AtomicInteger crcCorrupt = new AtomicInteger();

    private volatile boolean checkCrc;
    /** The duplicates sent, by tag, with the replies seen for them (the latest 4096; under lock). */
    private final Map<Integer, Duplicate> duplicates = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Duplicate> eldest) {
            return size() > 4096;
        }
    };
    private final AtomicLong lateChecked = new AtomicLong();
    private final AtomicLong lateCrcErrors = new AtomicLong();

    private static final class Duplicate {
        final ByteBuffer request;
        int replies;

        Duplicate(ByteBuffer request) {
            this.request = request;
        }
    }

    /** Opens a link through this one: {@code opener} gets this as its handler, and frames go on to {@code client}. */
    public Link open(FrameHandler client, AoeClient.LinkOpener opener) throws java.io.IOException {
        this.handler = client;
        this.inner = opener.open(this);
        return this;
    }

    /** See the class comment. */
    public void duplicateAndReorder(boolean on) {
        dupReorder = on;
    }

    /**
     * {@code percent} % of ATA requests are sent once more, under their tag, after a random delay
     * of 0 to {@code maxDelayMs} ms (a retransmitting switch, a bonded or bridged LAN). With tags
     * negotiated, the copy of a write is then thousands of tags old at full rate. 0 turns it off.
     */
    public void delayDuplicates(int maxDelayMs, int percent) {
        if (maxDelayMs < 0 || percent < 0 || percent > 100) {
            throw new IllegalArgumentException("delayed duplicates: a delay >= 0 ms and 0-100 %");
        }
        synchronized (lock) {
            if (maxDelayMs > 0 && delayer == null) {
                delayer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "aoe-dup-delay");
                    t.setDaemon(true);
                    return t;
                });
            }
        }
        dupPercent = percent;
        dupDelayMs = maxDelayMs;
    }

    /** The next {@code n} ATA writes with data go out with a wrong CRC8x4 (only for an export that uses it). */
    public void corruptCrcOfNextWrites(int n) {
        crcCorrupt.set(n);
    }

    /** Checks the CRC8x4 of the late replies to duplicates too (the export uses CRC8x4). */
    public void checkCrcOfLateReplies(boolean on) {
        checkCrc = on;
    }

    /** Extra copies sent by {@link #duplicateAndReorder}. */
    public long duplicated() {
        return duplicated.get();
    }

    /** Requests held back and sent after a later one by {@link #duplicateAndReorder}. */
    public long reordered() {
        return reordered.get();
    }

    /** Copies sent late by {@link #delayDuplicates}. */
    public long delayedDuplicates() {
        return delayed.get();
    }

    /** Late replies to duplicates whose CRC was checked and right. */
    public long lateRepliesChecked() {
        return lateChecked.get();
    }

    /** Late replies to duplicates whose CRC was missing or wrong. */
    public long lateCrcErrors() {
        return lateCrcErrors.get();
    }

    // ---- sending ----

    @Override
    public boolean send(ByteBuffer frame) {
        if (Aoe.command(frame) != Aoe.CMD_ATA) {
            return inner.send(frame);
        }
        ByteBuffer f = corrupted(frame);
        if (dupDelayMs > 0) {
            sendLateCopy(f);
        }
        if (!dupReorder) {
            return inner.send(f);
        }
        synchronized (lock) {
            long k = ++seq;
            ByteBuffer hold = null;
            if (k % 5 == 0 && held == null) {
                hold = copy(f);                      // goes out after the next request
                reordered.incrementAndGet();
            } else {
                inner.send(f);
                if (k % 3 == 0) {
                    sentDuplicate(f);
                    inner.send(f.duplicate());
                    duplicated.incrementAndGet();
                }
            }
            if (held != null) {
                inner.send(held);
                held = null;
            }
            held = hold;
            if (k % 7 == 0) {
                if (late != null) {
                    sentDuplicate(late);
                    inner.send(late);                // a copy of the one seven requests ago
                    duplicated.incrementAndGet();
                }
                late = copy(f);
            }
        }
        return true;
    }

    /** The frame, or a copy with lane 0 of its CRC flipped if it is a write to corrupt. */
    private ByteBuffer corrupted(ByteBuffer f) {
        if (crcCorrupt.get() <= 0 || (Ata.aflags(f) & Ata.AFLAG_WRITE) == 0 || Ata.sectorCount(f) == 0
                || crcCorrupt.getAndDecrement() <= 0) {
            return f;
        }
        ByteBuffer c = copy(f);
        int at = Ata.DATA + Ata.sectorCount(c) * Ata.SECTOR;
        c.put(at, (byte) (c.get(at) ^ 0x01));
        return c;
    }

    /** Maybe schedules a copy of the request (as it is now: a retransmission changes the tag) for later. */
    private void sendLateCopy(ByteBuffer f) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (r.nextInt(100) >= dupPercent) {
            return;
        }
        ByteBuffer c = copy(f);
        long delayUs = r.nextLong(dupDelayMs * 1000L + 1);
        synchronized (lock) {
            sentDuplicate(c);
            delayer.schedule(() -> {
                if (!closed) {
                    inner.send(c);
                    delayed.incrementAndGet();
                }
            }, delayUs, TimeUnit.MICROSECONDS);
        }
    }

    /** Notes a duplicate about to be sent (under lock), for {@link #onFrame}. */
    private void sentDuplicate(ByteBuffer f) {
        if (checkCrc) {
            duplicates.put(Aoe.tag(f), new Duplicate(copy(f)));
        }
    }

    private static ByteBuffer copy(ByteBuffer f) {
        ByteBuffer c = ByteBuffer.allocate(f.remaining());
        c.put(0, f, f.position(), f.remaining());
        return c;
    }

    // ---- receiving ----

    @Override
    public void onFrame(Link link, ByteBuffer frame) {
        if (checkCrc && Aoe.isAoe(frame) && Aoe.isResponse(frame)) {
            checkLate(frame);
        }
        handler.onFrame(this, frame);
    }

    /** A reply to a duplicated request after the first one: nobody waits for it, its CRC is checked here. */
    private void checkLate(ByteBuffer reply) {
        ByteBuffer req;
        synchronized (lock) {
            Duplicate d = duplicates.get(Aoe.tag(reply));
            if (d == null || ++d.replies < 2) {
                return;
            }
            req = d.request;
        }
        if (Aoe.command(req) != Aoe.command(reply)) {
            return;
        }
        int crc = AoeClient.checkCrc(req, reply);
        if (crc > 0) {
            lateChecked.incrementAndGet();
        } else if (crc == 0) {
            lateCrcErrors.incrementAndGet();
        }
    }

    @Override
    public void endOfBatch(Link link) {
        handler.endOfBatch(this);
    }

    @Override
    public void linkUp(Link link) {
        handler.linkUp(this);
    }

    @Override
    public void linkWaiting(Link link, String problem) {
        handler.linkWaiting(this, problem);
    }

    @Override
    public void linkDown(Link link, String reason) {
        handler.linkDown(this, reason);
    }

    // ---- the rest is the real link's ----

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean isUp() {
        return inner.isUp();
    }

    @Override
    public String problem() {
        return inner.problem();
    }

    @Override
    public long mac() {
        return inner.mac();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public boolean batches() {
        return inner.batches();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            if (delayer != null) {
                delayer.shutdownNow();
            }
        }
        Link l = inner;
        if (l != null) {
            l.close();
        }
    }
}
