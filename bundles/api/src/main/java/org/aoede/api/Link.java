package org.aoede.api;

import java.nio.ByteBuffer;

/** One network interface opened by a {@link Transport}: sends raw Ethernet frames. */
public interface Link extends AutoCloseable {
    /** The interface name, e.g. {@code eth0}. */
    String name();

    /** True while the interface is open and usable. */
    boolean isUp();

    /** Why the link is not up (e.g. "no such interface", "interface is down"); empty while up. */
    default String problem() {
        return isUp() ? "" : "down";
    }

    /** The interface's MAC address (low 48 bits), 0 while down. */
    long mac();

    /** The interface's MTU, 0 while down. */
    int mtu();

    /**
     * True if this link calls {@link FrameHandler#endOfBatch} after every batch of frames it
     * delivers (a handler may then hold work until the batch ends); false by default.
     */
    default boolean batches() {
        return false;
    }

    /**
     * Sends the frame between position and limit. Never blocks for long; returns false if the
     * frame could not be handed to the kernel (the link is down, the queue is full).
     */
    boolean send(ByteBuffer frame);

    /**
     * A buffer to build a reply in place, for the receive thread during {@link FrameHandler#onFrame}
     * only: the frame from index 0, then {@link #send} of this very buffer hands it over without a
     * copy (AF_PACKET: it is the next transmit slot). Null when the link has none; then build the
     * reply elsewhere. Do not touch it after sending it: it is queued. Other frames sent while it is
     * out still go (AF_PACKET: each with a system call of its own), never over it.
     */
    default ByteBuffer replyBuffer() {
        return null;
    }

    /** Stops receiving and releases the interface. */
    @Override
    void close();
}
