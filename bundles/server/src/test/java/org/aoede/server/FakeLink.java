package org.aoede.server;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.aoede.api.Link;
import org.aoede.api.Transport;

/** A {@link Link} that keeps copies of every frame sent; MAC and MTU are settable. */
final class FakeLink implements Link {
    volatile long mac;
    volatile int mtu;
    volatile boolean up = true;
    /** Whether the link says it calls endOfBatch (the test calls it). */
    volatile boolean batches;
    final List<ByteBuffer> sent = new CopyOnWriteArrayList<>();
    /** When set, replyBuffer() hands out this buffer (like AF_PACKET's transmit slot). */
    volatile ByteBuffer slot;
    volatile int sentInPlace;

    FakeLink(long mac, int mtu) {
        this.mac = mac;
        this.mtu = mtu;
    }

    /** A transport ("fake") whose every interface is this link, up at once. */
    Transport transport() {
        return (ifname, handler, options) -> {
            ((Port) handler).link(this);
            handler.linkUp(this);
            return this;
        };
    }

    @Override
    public String name() {
        return "fake0";
    }

    @Override
    public boolean isUp() {
        return up;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean batches() {
        return batches;
    }

    @Override
    public ByteBuffer replyBuffer() {
        ByteBuffer b = slot;
        if (b != null) {
            b.clear();
        }
        return b;
    }

    @Override
    public boolean send(ByteBuffer frame) {
        if (frame == slot) {
            sentInPlace++;
        }
        ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
        copy.put(frame.duplicate()).flip();
        sent.add(copy);
        return true;
    }

    ByteBuffer last() {
        return sent.isEmpty() ? null : sent.get(sent.size() - 1);
    }

    @Override
    public void close() {
        up = false;
    }
}
