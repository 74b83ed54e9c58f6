package org.aoede.server;

import org.aoede.api.LockingStore;

/**
 * The failover state of a writable export on a shared store ({@link LockingStore}: an RBD image):
 * whether it holds the store's lock and answers, or stands by and watches the holder over AoE.
 * Changed by {@link ExportRegistry} under its lock; read by its failover thread.
 */
final class Guard {
    enum Role {
        /** Holds the lock; answers once its probe found nobody else at the address. */
        HOLDER,
        /** Another holds the lock (or this one gave it up): silent, watching the holder. */
        STANDBY
    }

    final LockingStore lock;
    volatile Role role;
    /** When the holder last answered this standby's config query (or when watching began), ms. */
    volatile long heardAt;
    /** No taking the lock before this time, ms (after a handover). */
    volatile long holdOffUntil;
    /** The holder as last seen, for the detail line. */
    volatile String holder = "";

    Guard(LockingStore lock, Role role, long now) {
        this.lock = lock;
        this.role = role;
        this.heardAt = now;
    }

    /**
     * What a standby does at {@code now}: take the lock because nobody holds it, take it over
     * because the holder has been silent on the LAN for {@code takeoverAfterMs}, or keep waiting.
     */
    enum Step { WAIT, ACQUIRE, BREAK_AND_ACQUIRE }

    Step next(long now, boolean lockFree, boolean anyInterfaceUp, long takeoverAfterMs) {
        if (role != Role.STANDBY || now < holdOffUntil || !anyInterfaceUp) {
            return Step.WAIT;
        }
        if (lockFree) {
            return Step.ACQUIRE;
        }
        return now - heardAt >= takeoverAfterMs ? Step.BREAK_AND_ACQUIRE : Step.WAIT;
    }
}
