package org.aoede.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.aoede.api.ExportState;
import org.aoede.api.LockingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which of several appliances serves an export on a shared store (a writable RBD image):
 * the store's lock does. The holder answers; a standby answers nothing, asks for the holder on the
 * LAN and takes over when it falls silent (breaking the lock fences the old holder); a holder that
 * lost the lock stops answering and stands by; a handover gives the lock up on purpose.
 *
 * <p>Each export's state is its {@link Guard}; this class changes it. What touches exports and
 * ports runs under the {@link ExportRegistry}'s lock; calls to the cluster (lock owners, break,
 * acquire) run on the failover thread outside it, so a slow cluster never stalls the registry.
 */
final class Failover {
    /** How often a standby asks for the holder on the LAN and looks at the lock; how often a holder checks it still holds it. */
    static final long TICK_MS = Long.getLong("aoede.failover.tick.ms", 1000);
    /** The registry's logger: operators find these lines (and set their level) under ExportRegistry. */
    private static final Logger LOG = LoggerFactory.getLogger(ExportRegistry.class);
    private static final String LOST_LOCK = "it no longer holds the image's lock (another appliance broke it)";

    private final ExportRegistry registry;
    /** The registry's control-plane thread: reopens a fenced export there, as any restart. */
    private final ScheduledExecutorService timer;
    /** Runs the lock calls of shared stores (they talk to the cluster): never under the registry's lock. */
    private final ScheduledExecutorService failover;

    Failover(ExportRegistry registry, ScheduledExecutorService timer) {
        this.registry = registry;
        this.timer = timer;
        failover = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aoede-failover");
            t.setDaemon(true);
            return t;
        });
        failover.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    void close() {
        failover.shutdownNow();
    }

    /** Takes the lock if nobody holds it; else a standby guard naming the holder. */
    static Guard guard(String name, LockingStore l) throws IOException {
        long now = System.currentTimeMillis();
        List<String> owners = l.lockOwners();
        if (owners.isEmpty()) {
            try {
                l.lock();
                return new Guard(name, l, Guard.Role.HOLDER, now);
            } catch (IOException ex) {
                owners = l.lockOwners();           // taken meanwhile: stand by; else the refusal
                if (owners.isEmpty()) {
                    throw ex;
                }
            }
        }
        Guard g = new Guard(name, l, Guard.Role.STANDBY, now);
        g.holder = l.describeOwner(owners.get(0));
        return g;
    }

    static String standbyDetail(Guard g) {
        return "image held by " + g.holder;
    }

    /**
     * A new holder serves the live state (config string, mask list, reservation) the last holder
     * kept with the image; the first holder of an image puts its own there.
     */
    static void adopt(Export e, Guard g) {
        LiveState kept = g.shared();
        if (kept == null) {
            g.share(e.live());
        } else if (!kept.equals(e.live())) {
            LOG.info("export {}: live state (config string, mask list, reservation) as the image keeps it", e.name());
            e.live(kept);
        }
    }

    /** I/O of a holder failed because the cluster fenced it: stop answering at once. */
    void watchFence(Export e) {
        if (e.guard != null) {
            e.guard.lock.onFenced(() -> {
                synchronized (registry) {
                    ExportComponent c = registry.owner(e);
                    if (c != null) {
                        fenced(c, e, "the cluster refused its I/O (blocklisted: another appliance broke its lock)");
                    }
                }
            });
        }
    }

    /**
     * Whether an export that finished its probe may answer: always without a guard; a standby
     * never (the tick decides); a holder only while it still holds the lock, else it is fenced.
     * Under the registry's lock.
     */
    boolean mayAnswer(ExportComponent c, Export e) {
        Guard g = e.guard;
        if (g == null) {
            return true;
        }
        if (g.role == Guard.Role.STANDBY) {
            return false;
        }
        if (!g.lock.ownsLock()) {
            fenced(c, e, LOST_LOCK);
            return false;
        }
        return true;
    }

    /**
     * A holder lost the lock: answers nothing from now on (the initiators' retransmits go to the
     * new holder), then reopens its store as a standby (the fenced client can do nothing more).
     * Under the registry's lock.
     */
    private void fenced(ExportComponent c, Export e, String why) {
        Guard g = e.guard;
        if (c.running != e || g == null || g.role == Guard.Role.STANDBY) {
            return;
        }
        g.role = Guard.Role.STANDBY;
        for (Port p : registry.portsOf(e)) {
            p.deactivate(e);
        }
        e.answered = false;
        LOG.error("export {}: fenced: {}; answering nothing, reopening as a standby", e.name(), why);
        c.status(ExportState.STANDBY, "fenced: " + why);
        timer.execute(() -> {
            synchronized (registry) {
                if (c.running == e) {
                    registry.restart(c);
                }
            }
        });
    }

    /** One guarded export as the tick sees it: its interfaces that are up, its takeover time. */
    private record Watched(ExportComponent c, Export e, List<Port> up, long takeoverAfterMs) {}

    /** Every second: holders check they still hold; standbys watch the holder on the LAN and take over. */
    private void tick() {
        List<Watched> guarded = new ArrayList<>();
        synchronized (registry) {
            for (ExportComponent c : registry.components()) {
                Export e = c.running;
                if (e != null && e.guard != null) {
                    List<Port> up = new ArrayList<>();
                    for (Port p : registry.portsOf(e)) {
                        if (p.isUp()) {
                            up.add(p);
                        }
                    }
                    guarded.add(new Watched(c, e, up, ExportSettings.takeoverAfterMs(c.configured)));
                }
            }
        }
        for (Watched w : guarded) {
            try {
                tick(w.c(), w.e(), w.up(), w.takeoverAfterMs());
            } catch (RuntimeException ex) {
                LOG.warn("export {}: failover check failed: {}", w.e().name(), ex.toString());
            }
        }
    }

    private void tick(ExportComponent c, Export e, List<Port> up, long takeoverAfterMs) {
        Guard g = e.guard;
        long now = System.currentTimeMillis();
        if (g.role == Guard.Role.HOLDER) {
            if (e.answered && !g.lock.ownsLock()) {
                synchronized (registry) {
                    fenced(c, e, LOST_LOCK);
                }
            }
            return;
        }
        // A standby: did the holder answer the last query? Ask again.
        for (Port p : up) {
            if (p.endProbe(e) != 0) {
                g.heardAt = now;
            }
            p.startProbe(e);
        }
        if (up.isEmpty()) {
            g.heardAt = now;                       // deaf: silence means nothing
        }
        List<String> owners;
        try {
            owners = g.lock.lockOwners();
        } catch (IOException ex) {
            LOG.warn("export {}: cannot read the image's lock: {}", e.name(), ex.getMessage());
            return;
        }
        Guard.Step step = g.next(now, owners.isEmpty(), !up.isEmpty(), takeoverAfterMs);
        if (step == Guard.Step.WAIT) {
            if (!owners.isEmpty()) {
                g.holder = g.lock.describeOwner(owners.get(0));
                synchronized (registry) {
                    if (c.running == e && g.role == Guard.Role.STANDBY) {
                        c.status(ExportState.STANDBY, standbyDetail(g));
                    }
                }
            }
            return;
        }
        String how;
        try {
            if (step == Guard.Step.BREAK_AND_ACQUIRE) {
                String owner = owners.get(0);
                LOG.warn("export {}: the holder of {} ({}) has not answered on the LAN for {} ms: breaking its lock",
                        e.name(), e.settings.address(), g.lock.describeOwner(owner), now - g.heardAt);
                g.lock.breakLock(owner);
                how = "after " + (now - g.heardAt) + " ms of the holder's silence, its lock broken (fenced)";
            } else {
                how = "the image's lock was free";
            }
            g.lock.lock();
        } catch (IOException ex) {
            LOG.warn("export {}: takeover failed, still standby: {}", e.name(), ex.getMessage());
            return;
        }
        takeOver(c, e, how);
    }

    /** A standby that now holds the lock answers and advertises itself on its interfaces. */
    private void takeOver(ExportComponent c, Export e, String how) {
        synchronized (registry) {
            Guard g = e.guard;
            if (c.running != e) {
                return;                            // stopped meanwhile: its store's close released the lock
            }
            g.role = Guard.Role.HOLDER;
            adopt(e, g);
            List<String> on = new ArrayList<>();
            for (Port p : registry.portsOf(e)) {
                if (p.isUp()) {
                    p.endProbe(e);
                    p.activate(e);
                    p.advertise(e);
                    on.add(p.name);
                }
            }
            e.answered = true;
            c.status(ExportState.SERVING, "");
            LOG.warn("export {}: took over {} ({}): answering on {}", e.name(), e.settings.address(), how, on);
        }
    }

    /**
     * Hands a holder's lock over: stops answering, waits for requests in progress, releases the
     * lock and stands by; it takes the lock back no sooner than its takeover time.
     */
    void handover(ExportComponent c) throws IOException {
        synchronized (registry) {
            Export e = c.running;
            Guard g = e == null ? null : e.guard;
            if (g == null) {
                throw new IOException("export '" + c.name + "' has no shared store to hand over (only writable rbd: "
                        + "exports do)" + (e == null ? ": it is not running (" + c.status() + ")" : ""));
            }
            if (g.role != Guard.Role.HOLDER) {
                throw new IOException("export '" + c.name + "' does not hold the image (" + c.status() + ")");
            }
            for (Port p : registry.portsOf(e)) {
                p.deactivate(e);
            }
            e.pause();
            long now = System.currentTimeMillis();
            g.role = Guard.Role.STANDBY;
            g.heardAt = now;
            g.holdOffUntil = now + ExportSettings.takeoverAfterMs(c.configured);
            e.answered = false;
            try {
                g.lock.unlock();
            } finally {
                e.unpause();
            }
            c.status(ExportState.STANDBY, "handed over (image free for another appliance; this one takes it "
                    + "back if nobody has in " + ExportSettings.takeoverAfterMs(c.configured) / 1000 + " s)");
            LOG.warn("export {}: handed over: answering nothing, the image's lock released", e.name());
        }
    }
}
