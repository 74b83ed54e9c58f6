package org.aoede.server;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What one initiator (by MAC) negotiated with one export, and the extensions' scratch state
 * for it. Kept by the target, so it survives the replacement of an extension bundle.
 */
final class Initiator {
    final long mac;
    /**
     * The negotiated names: an immutable set, replaced (never changed) on each change, so the
     * export can cache a check against it by identity ({@link #satisfiedBy}).
     */
    private volatile Set<String> negotiated = Set.of();
    final ConcurrentMap<String, Object> attributes = new ConcurrentHashMap<>();
    /** The last {@link #satisfiedBy} answer and the two sets it was computed from. */
    private volatile Check check;

    private record Check(Set<String> provided, Set<String> negotiated, boolean satisfied) { }

    Initiator(long mac) {
        this.mac = mac;
    }

    Set<String> negotiated() {
        return negotiated;
    }

    synchronized void negotiate(String name) {
        Set<String> now = negotiated;
        if (!now.contains(name)) {
            Set<String> next = new HashSet<>(now);
            next.add(name);
            negotiated = Set.copyOf(next);
        }
    }

    synchronized void reset() {
        negotiated = Set.of();
        attributes.clear();
    }

    /**
     * True if {@code provided} holds every negotiated name. Per frame, so the answer is kept until
     * either set is replaced: both are immutable, compared by identity. Racing threads may both
     * compute it; each stores an answer that is true for the sets it read.
     */
    boolean satisfiedBy(Set<String> provided) {
        Set<String> n = negotiated;
        if (n.isEmpty()) {
            return true;
        }
        Check c = check;
        if (c != null && c.provided == provided && c.negotiated == n) {
            return c.satisfied;
        }
        boolean ok = provided.containsAll(n);
        check = new Check(provided, n, ok);
        return ok;
    }
}
