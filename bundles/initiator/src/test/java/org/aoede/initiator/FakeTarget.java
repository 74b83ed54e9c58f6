package org.aoede.initiator;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;

/**
 * An in-memory link plus a tiny AoE target behind it: each sent frame goes to {@link #responder}
 * (null reply = frame lost) and replies come back on a separate "receive" thread, as with pcap.
 * Replies are unpadded, like vblade's on veth.
 */
final class FakeTarget implements Link {
    static final long CLIENT_MAC = 0x02_00_00_00_00_01L;
    static final long TARGET_MAC = 0x02_00_00_00_00_02L;

    final List<ByteBuffer> sent = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final byte[] disk = new byte[64 * 512];
    final ExecutorService rx = Executors.newSingleThreadExecutor();
    volatile Function<ByteBuffer, ByteBuffer> responder = this::serve;
    volatile FrameHandler handler;

    AoeClient open(AoeClient.Options o) {
        AoeClient client = new AoeClient(this, o);
        handler = client;
        return client;
    }

    /** A client on this link seen through {@code faults}. */
    AoeClient openThrough(FaultyLink faults, AoeClient.Options o) throws java.io.IOException {
        return AoeClient.open(o, client -> faults.open(client, h -> {
            handler = h;
            h.linkUp(this);
            return this;
        }));
    }

    @Override public String name() { return "fake0"; }
    @Override public boolean isUp() { return true; }
    @Override public long mac() { return CLIENT_MAC; }
    @Override public int mtu() { return 1500; }
    @Override public void close() { rx.shutdownNow(); }

    @Override
    public boolean send(ByteBuffer frame) {
        ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
        copy.put(0, frame, frame.position(), frame.remaining());
        sent.add(copy);
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        ByteBuffer reply = responder.apply(copy);
        if (reply == null) {
            inFlight.decrementAndGet();
        } else {
            deliver(reply);
        }
        return true;
    }

    void deliver(ByteBuffer reply) {
        rx.execute(() -> {
            inFlight.decrementAndGet();
            handler.onFrame(this, reply);
        });
    }

    /** A reply header for request {@code q} with room for {@code length} bytes. */
    static ByteBuffer replyTo(ByteBuffer q, int length) {
        ByteBuffer r = ByteBuffer.allocate(length);
        r.put(0, q, 0, Math.min(length, q.limit()));
        Aoe.setDst(r, Aoe.src(q));
        Aoe.setSrc(r, TARGET_MAC);
        Aoe.setFlags(r, Aoe.FLAG_RESPONSE);
        return r;
    }

    /** Answers config queries (shelf 1 slot 0, 2 sectors a frame) and EXT reads/writes on {@link #disk}. */
    ByteBuffer serve(ByteBuffer q) {
        if (Aoe.command(q) == Aoe.CMD_CONFIG) {
            ByteBuffer r = replyTo(q, Config.HEADER + 3);
            Aoe.setShelf(r, 1);
            Aoe.setSlot(r, 0);
            Config.put(r, 16, 0x4019, 2, Config.READ, "abc".getBytes());
            return r;
        }
        long lba = Ata.lba(q);
        int n = Ata.sectorCount(q);
        boolean past = (lba + n) * 512 > disk.length;
        switch (Ata.command(q)) {
            case Ata.CMD_READ_EXT: {
                ByteBuffer r = replyTo(q, Ata.HEADER + (past ? 0 : n * 512));
                if (past) {
                    Ata.setStatus(r, Ata.STATUS_DRDY | Ata.STATUS_ERR);
                    Ata.setErrorReg(r, Ata.ERROR_IDNF);
                } else {
                    r.put(Ata.DATA, disk, (int) lba * 512, n * 512);
                    Ata.setStatus(r, Ata.STATUS_DRDY);
                }
                return r;
            }
            case Ata.CMD_WRITE_EXT: {
                q.get(Ata.DATA, disk, (int) lba * 512, n * 512);
                ByteBuffer r = replyTo(q, Ata.HEADER);
                Ata.setStatus(r, Ata.STATUS_DRDY);
                return r;
            }
            default: {
                ByteBuffer r = replyTo(q, Ata.HEADER);
                Ata.setStatus(r, Ata.STATUS_DRDY | Ata.STATUS_ERR);
                Ata.setErrorReg(r, Ata.ERROR_ABRT);
                return r;
            }
        }
    }
}
