package org.aoede.api;

import java.nio.ByteBuffer;

/** Receives AoE frames from a {@link Link}; called on the link's receive thread. */
public interface FrameHandler {
    /**
     * One received frame, Ethernet header at index 0, limit = frame length. The buffer is only
     * valid during the call: copy what must outlive it.
     */
    void onFrame(Link link, ByteBuffer frame);

    /**
     * The frames of one receive batch (one {@code recvmmsg}, one {@code pcap_dispatch}) have all
     * been delivered; called on the receive thread, only by links whose {@link Link#batches()} is
     * true. A handler may hold work of the batch until here (write coalescing) and send its
     * replies now: they still leave with the batch's other replies.
     */
    default void endOfBatch(Link link) {
    }

    /** The link came up (or came back); MAC and MTU are known. */
    default void linkUp(Link link) {
    }

    /**
     * The link is not up and waits for its interface (missing, down, no carrier, cannot be
     * opened); called when that reason changes, never per retry. See {@link Link#problem()}.
     */
    default void linkWaiting(Link link, String problem) {
    }

    /** The link went down; the transport keeps retrying. */
    default void linkDown(Link link, String reason) {
    }
}
