package org.aoede.target;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What one initiator (by MAC) negotiated with one export, and the extensions' scratch state
 * for it. Kept by the target, so it survives the replacement of an extension bundle.
 */
final class Initiator {
    final long mac;
    final Set<String> negotiated = ConcurrentHashMap.newKeySet();
    final ConcurrentMap<String, Object> attributes = new ConcurrentHashMap<>();

    Initiator(long mac) {
        this.mac = mac;
    }

    void reset() {
        negotiated.clear();
        attributes.clear();
    }
}
