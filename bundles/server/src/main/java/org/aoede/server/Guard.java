package org.aoede.server;

import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import org.aoede.api.LockingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover state of a writable export on a shared store ({@link LockingStore}: an RBD image):
 * whether it holds the store's lock and answers, or stands by and watches the holder over AoE.
 * Changed by {@link Failover} under the registry's lock; read by the failover thread.
 */
final class Guard {
    enum Role {
        /** Holds the lock; answers once its probe found nobody else at the address. */
        HOLDER,
        /** Another holds the lock (or this one gave it up): silent, watching the holder. */
        STANDBY
    }

    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    /** Keys of the live state in the shared store (an RBD image's metadata; not {@code conf_*}: librbd's settings). */
    static final String CONFIG = "aoede.config-string";
    static final String MASK = "aoede.mask";
    static final String RESERVATION = "aoede.reservation";
    /** Writes live state to the cluster off the data path (a MAC mask edit arrives on a receive thread). */
    private static final ExecutorService SHARING = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "aoede-shared-state");
        t.setDaemon(true);
        return t;
    });

    final LockingStore lock;
    private final String name;
    private final AtomicReference<LiveState> toShare = new AtomicReference<>();
    volatile Role role;
    /** When the holder last answered this standby's config query (or when watching began), ms. */
    volatile long heardAt;
    /** No taking the lock before this time, ms (after a handover). */
    volatile long holdOffUntil;
    /** The holder as last seen, for the detail line. */
    volatile String holder = "";

    Guard(String name, LockingStore lock, Role role, long now) {
        this.name = name;
        this.lock = lock;
        this.role = role;
        this.heardAt = now;
    }

    /** A holder's live state changed: written to the store soon, for the next holder; the latest wins. */
    void share(LiveState s) {
        if (role != Role.HOLDER) {
            return;
        }
        if (toShare.getAndSet(s) == null) {
            SHARING.execute(() -> {
                LiveState x = toShare.getAndSet(null);
                if (x != null && role == Role.HOLDER) {
                    write(x);
                }
            });
        }
    }

    private void write(LiveState s) {
        try {
            // "1:" first: never an empty value, and room for another format later
            lock.share(CONFIG, "1:" + HexFormat.of().formatHex(s.configString()));
            lock.share(MASK, "1:" + StateFile.format(s.mask()));
            lock.share(RESERVATION, "1:" + StateFile.format(s.reservation()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("export {}: cannot keep the live state with the image: {}", name, e.getMessage());
        }
    }

    /** The live state the last holder left in the store, or null if none did (or it cannot be read). */
    LiveState shared() {
        try {
            String c = value(lock.shared(CONFIG));
            String m = value(lock.shared(MASK));
            String r = value(lock.shared(RESERVATION));
            if (c == null || m == null || r == null) {
                return null;
            }
            return new LiveState(HexFormat.of().parseHex(c), StateFile.macs(m), StateFile.macs(r));
        } catch (IOException | RuntimeException e) {
            LOG.warn("export {}: cannot read the live state kept with the image: {}", name, e.getMessage());
            return null;
        }
    }

    /** A kept value without its format prefix; null if absent or of a format this version does not know. */
    private static String value(String kept) {
        return kept != null && kept.startsWith("1:") ? kept.substring(2) : null;
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
