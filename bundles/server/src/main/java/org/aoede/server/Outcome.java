package org.aoede.server;

/**
 * What handling one request on a port's receive thread came to: a reply of {@link #length} bytes
 * to send now, a reply that leaves later (a write held for coalescing, acknowledged when its run is
 * written ({@link WriteBatch}); a store call handed to the I/O threads ({@link AsyncIo}), answered
 * from there), or none. One per port, reused for every request: nothing is allocated per frame.
 *
 * <p>Internal to the target bundle: extensions only ever see ints, a length or
 * {@link org.aoede.api.Extension#NO_REPLY}; "later" is not an int and cannot reach them.
 */
final class Outcome {
    enum Kind { REPLY, LATER, NONE }

    Kind kind = Kind.NONE;
    /** The reply's length (Ethernet header included) if {@link Kind#REPLY}, else -1. */
    int length = -1;

    /** A reply of {@code n} bytes now, or none if {@code n} is negative ({@link Export#NO_REPLY}). */
    Outcome reply(int n) {
        kind = n >= 0 ? Kind.REPLY : Kind.NONE;
        length = n >= 0 ? n : -1;
        return this;
    }

    /** No reply: the request is dropped (the initiator retransmits) or needs none. */
    Outcome none() {
        kind = Kind.NONE;
        length = -1;
        return this;
    }

    /** The reply leaves later, from whoever completes the request. */
    Outcome later() {
        kind = Kind.LATER;
        length = -1;
        return this;
    }

    boolean isLater() {
        return kind == Kind.LATER;
    }
}
