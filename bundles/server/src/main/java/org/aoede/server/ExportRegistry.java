package org.aoede.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.aoede.api.BlockStore;
import org.aoede.api.BlockStoreFactory;
import org.aoede.api.ExportState;
import org.aoede.api.Extension;
import org.aoede.api.Link;
import org.aoede.api.LockingStore;
import org.aoede.api.ResizingStore;
import org.aoede.api.StoreSpec;
import org.aoede.api.Transport;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's target: knows every configured export, decides which may serve (valid,
 * enabled, alone on its shelf.slot, transport present, no other target answering the probe),
 * and owns the interfaces ({@link Port}s) they serve on. Of several appliances with an export of
 * one shared store, {@link Failover} decides which serves. All control-plane changes happen
 * under this object's lock; the data path never takes it.
 */
@Component(service = ExportRegistry.class, immediate = true)
public class ExportRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ExportRegistry.class);
    /** How long an export listens for another target with its address before answering. */
    static final long PROBE_MS = Long.getLong("aoede.probe.ms", 1000);

    private final Map<String, Transport> transports = new ConcurrentHashMap<>();
    /** The installed extensions, and which of them each export uses. */
    private final ExtensionWiring extensions = new ExtensionWiring(this);
    private final Map<String, ExportComponent> exports = new HashMap<>();
    private final Map<String, Port> ports = new HashMap<>();
    private final Set<Long> ownMacs = ConcurrentHashMap.newKeySet();
    private final Set<String> reportedConflicts = new LinkedHashSet<>();
    private ScheduledExecutorService timer;
    /** Exports on a shared store (an RBD image): which appliance serves them. */
    private Failover failover;
    private Path stateDir;

    /** The registered store factories, by the scheme of an export's file. */
    final StoreFactories factories = new StoreFactories();
    /** Opens an export's store: {@link #factories}, or a test's own. */
    BlockStoreFactory stores = factories;

    @Activate
    void activate() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aoede-server");
            t.setDaemon(true);
            return t;
        });
        String data = System.getProperty("karaf.data", System.getProperty("java.io.tmpdir"));
        stateDir = Path.of(data, "aoede", "exports");
        failover = new Failover(this, timer);
    }

    @Deactivate
    synchronized void deactivate() {
        for (ExportComponent c : new ArrayList<>(exports.values())) {
            stop(c);
        }
        for (Port p : ports.values()) {
            p.close();
        }
        ports.clear();
        timer.shutdownNow();
        failover.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTransport(Transport t, Map<String, Object> props) {
        String type = String.valueOf(props.get(Transport.TYPE));
        transports.put(type, t);
        LOG.info("transport '{}' available", type);
        synchronized (this) {
            if (timer != null) {
                reconcile();
            }
        }
    }

    void removeTransport(Transport t, Map<String, Object> props) {
        String type = String.valueOf(props.get(Transport.TYPE));
        synchronized (this) {
            transports.remove(type, t);
            for (ExportComponent c : exports.values()) {
                if (c.running != null && c.running.settings.transport().equals(type)) {
                    stop(c);
                    c.status(ExportState.WAITING, "for transport '" + type + "'");
                }
            }
            ports.entrySet().removeIf(e -> {
                if (e.getValue().transport.equals(type)) {
                    e.getValue().close();
                    return true;
                }
                return false;
            });
            reconcile();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addStoreFactory(BlockStoreFactory f, Map<String, Object> props) {
        String scheme = String.valueOf(props.getOrDefault(StoreFactories.PROPERTY, StoreFactories.FILE));
        factories.add(scheme, f);
        LOG.info("store '{}' available", scheme);
        synchronized (this) {
            if (timer != null) {
                reconcile();
            }
        }
    }

    void removeStoreFactory(BlockStoreFactory f, Map<String, Object> props) {
        String scheme = String.valueOf(props.getOrDefault(StoreFactories.PROPERTY, StoreFactories.FILE));
        synchronized (this) {
            if (!factories.remove(scheme, f)) {
                return;
            }
            LOG.info("store '{}' gone", scheme);
            for (ExportComponent c : exports.values()) {
                if (c.running != null && factories.scheme(c.running.settings.file()).equals(scheme)) {
                    stop(c);
                    c.status(ExportState.WAITING, "for store '" + scheme + "'");
                }
            }
        }
    }

    synchronized List<ExportComponent> components() {
        return new ArrayList<>(exports.values());
    }

    synchronized List<Port> portList() {
        return new ArrayList<>(ports.values());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addExtension(Extension x, Map<String, Object> props) {
        String name = String.valueOf(props.get(Extension.NAME));
        extensions.add(name, x);
        LOG.info("extension '{}' available", name);
        synchronized (this) {
            if (timer != null) {
                applyExtensions();
            }
        }
    }

    void removeExtension(Extension x, Map<String, Object> props) {
        String name = String.valueOf(props.get(Extension.NAME));
        if (extensions.remove(name, x)) {
            LOG.info("extension '{}' gone", name);
        }
        synchronized (this) {
            if (timer != null) {
                applyExtensions();
            }
        }
    }

    /** An extension came or went: re-advertises only the exports it changed (not every export on every port). */
    private void applyExtensions() {
        for (ExportComponent c : exports.values()) {
            if (extensions.rewire(c)) {
                readvertise(c.running);
            }
        }
    }

    /** Rewires one export and re-advertises it (configuration edits: buffer count, mask list may have changed). */
    private void applyExtensions(ExportComponent c) {
        extensions.rewire(c);
        if (c.running != null) {
            readvertise(c.running);
        }
    }

    /** Marks an extension required by a running export (persisted first), then applies it. */
    synchronized void require(ExportComponent c, String extension, boolean on) throws IOException {
        Export e = c.running;
        if (e == null) {
            throw new IOException("export '" + c.name + "' is not running");
        }
        Set<String> now = new TreeSet<>(e.stateFile().required());
        if (on ? now.add(extension) : now.remove(extension)) {
            e.stateFile().required(now);
            LOG.info("export {}: extension '{}' {}", e.name(), extension, on ? "required from now on" : "no longer required");
        }
        applyExtensions(c);
    }

    boolean isOwnMac(long mac) {
        return ownMacs.contains(mac);
    }

    // ---- exports come and go -----------------------------------------------------------

    synchronized void put(ExportComponent c) {
        exports.put(c.pid, c);
        reconcile();
    }

    synchronized void remove(ExportComponent c) {
        if (exports.remove(c.pid) != null) {
            stop(c);
            reconcile();
        }
    }

    /** Restarts an export whose settings changed in a way that needs a new store or address. */
    synchronized void restart(ExportComponent c) {
        stop(c);
        c.refusal = null;
        reconcile();
    }

    /**
     * Applies a change of file, window, read-only, direct, sync, model or serial to a running
     * export: pause it, reopen the store, resume. The address stays, so no probe. If the new
     * store cannot be opened, the export goes on with its last good settings. Two edits start the
     * export anew instead (it probes again): one of an export that holds or waits for a lock, and
     * one that makes a locking store writable, which takes the lock (or stands by) first.
     */
    synchronized void reopen(ExportComponent c, ExportSettings old) {
        Export e = c.running;
        if (e == null) {
            reconcile();
            return;
        }
        ExportSettings s = c.settings;
        // What the new store would refuse is refused first, so a bad edit keeps the export serving.
        try {
            stores.check(spec(s), spec(old));
        } catch (IOException | RuntimeException ex) {
            String why = cannotOpen(s, ex);
            LOG.error("export {}: edit refused, still serving the last good configuration: {}", c.source, why);
            c.settings = old;
            c.editRefused(why);
            return;
        }
        if (e.guard != null) {
            restart(c);                            // a new store must take the lock (or stand by) again
            return;
        }
        e.pause();
        e.closeStores();
        BlockStore fresh;
        try {
            fresh = stores.open(spec(s));
        } catch (IOException | RuntimeException ex) {
            keepLastGood(c, e, old, cannotOpen(s, ex));
            return;
        }
        if (fresh instanceof LockingStore l && !fresh.readOnly()) {
            // Made writable (an RBD image that was read-only, say): it takes the lock or stands by
            // before the old export stops, so a cluster that fails now leaves that one serving.
            Guard g;
            try {
                g = Failover.guard(s.name(), l);
            } catch (IOException ex) {
                closeQuietly(fresh);
                keepLastGood(c, e, old, cannotOpen(s, ex));
                return;
            }
            stop(c);
            c.refusal = null;
            start(c, fresh, g);
            return;
        }
        e.resume(s, fresh);
        watchSize(e);
        LOG.info("export {} ({}): now {}", s.name(), c.source, fresh.describe());
        update(c, old);
    }

    /** An edit failed on a paused export whose stores are closed: serve the old settings again. */
    private void keepLastGood(ExportComponent c, Export e, ExportSettings old, String why) {
        LOG.error("export {}: edit refused, still serving the last good configuration: {}", c.source, why);
        c.settings = old;
        c.editRefused(why);
        try {
            e.resume(old, stores.open(spec(old)));
            watchSize(e);
            applyExtensions(c);
        } catch (IOException | RuntimeException ex) {
            e.stop();
            c.running = null;
            c.refuse("cannot reopen " + old.file() + ": " + ex.getMessage());
        }
    }

    private static void closeQuietly(BlockStore store) {
        try {
            store.close();
        } catch (IOException e) {
            LOG.warn("closing {} failed: {}", store.describe(), e.toString());
        }
    }

    /** Why a store did not open, naming the file once: the store's own refusal already names it and the key. */
    static String cannotOpen(ExportSettings s, Exception e) {
        return e instanceof StoreSpec.Invalid ? e.getMessage() : "cannot open " + s.file() + ": " + e.getMessage();
    }

    static StoreSpec spec(ExportSettings s) {
        return new StoreSpec(s.file(), s.readOnly(), s.direct(), s.sync(), s.offset(), s.length());
    }

    /** Applies settings that change live: buffer count, interfaces, mask list and config string. */
    synchronized void update(ExportComponent c, ExportSettings old) {
        Export e = c.running;
        if (e == null) {
            reconcile();
            return;
        }
        ExportSettings s = c.settings;
        e.settings = s;
        e.bufferCount(s.bufferCount());
        // An operator's edit of a configured value replaces what the wire set before.
        StateFile.Configured was = new StateFile.Configured(old.configString(), old.allowedMacs());
        StateFile.Configured now = new StateFile.Configured(s.configString(), s.allowedMacs());
        LiveState live = e.live();
        if (!now.sameConfig(was)) {
            live = live.withConfig(Config.bytes(s.configString()));
        }
        if (!now.sameMask(was)) {
            live = live.withMask(s.allowedMacs());
        }
        e.live(live);
        e.stateFile().configured(now, live);
        applyExtensions(c);                        // also re-advertises: buffer count, mask list may have changed
        for (String ifname : old.interfaces()) {
            if (!s.interfaces().contains(ifname)) {
                Port p = ports.get(key(s.transport(), ifname));
                if (p != null) {
                    p.detach(e);
                }
            }
        }
        for (String ifname : s.interfaces()) {
            Port p = port(s.transport(), ifname);
            if (!old.interfaces().contains(ifname)) {
                p.attach(e);
                if (p.isUp()) {
                    probe(p, e);
                }
            }
        }
        closeUnusedPorts();
        LOG.info("export {} ({}): configuration changed live", s.name(), c.source);
    }

    /** Brings the running set in line with the configurations. */
    private void reconcile() {
        Map<Integer, List<ExportComponent>> byAddress = new HashMap<>();
        for (ExportComponent c : exports.values()) {
            if (c.settings != null && c.settings.enabled()) {
                byAddress.computeIfAbsent(c.settings.addressKey(), k -> new ArrayList<>()).add(c);
            }
        }
        Set<String> conflictsNow = new LinkedHashSet<>();
        for (ExportComponent c : exports.values()) {
            if (c.settings == null) {
                continue;                          // invalid from the start: already reported
            }
            if (!c.settings.enabled()) {
                stop(c);
                c.status(ExportState.DISABLED, "");
                continue;
            }
            List<ExportComponent> claim = byAddress.get(c.settings.addressKey());
            if (claim.size() > 1) {
                ExportComponent holder = holder(claim);
                if (holder == c) {
                    continue;                      // it answers: a newcomer never stops it
                }
                stop(c);
                String msg;
                if (holder != null) {
                    msg = c.settings.address() + " is already served by " + holder.source + ": " + c.source
                            + " refused, " + holder.source + " goes on serving";
                } else {
                    List<String> files = new ArrayList<>();
                    for (ExportComponent o : claim) {
                        files.add(o.source);
                    }
                    files.sort(null);
                    msg = c.settings.address() + " is claimed by " + String.join(" and ", files)
                            + " and none of them has answered yet: all of them refused";
                }
                conflictsNow.add(msg);
                c.status(ExportState.REFUSED, msg);
                continue;
            }
            if (c.running == null && c.refusal == null) {
                start(c);
            }
        }
        for (String m : conflictsNow) {
            if (!reportedConflicts.contains(m)) {
                LOG.error("{}", m);
            }
        }
        reportedConflicts.clear();
        reportedConflicts.addAll(conflictsNow);
        closeUnusedPorts();
    }

    /**
     * Of the exports claiming one address, the one that has answered on it (finished its probe),
     * or null. Only one can have: a second claimant is stopped before its probe ends.
     */
    private static ExportComponent holder(List<ExportComponent> claim) {
        for (ExportComponent o : claim) {
            if (o.running != null && o.running.answered) {
                return o;
            }
        }
        return null;
    }

    private void start(ExportComponent c) {
        ExportSettings s = c.settings;
        if (!transports.containsKey(s.transport())) {
            c.status(ExportState.WAITING, "for transport '" + s.transport() + "'");
            return;
        }
        BlockStore store;
        try {
            store = stores.open(spec(s));
        } catch (StoreFactories.Missing e) {
            c.status(ExportState.WAITING, "for store '" + e.scheme + "'" + (e.scheme.equals(StoreFactories.FILE)
                    ? "" : " (feature aoede-store-" + e.scheme + ")"));
            return;
        } catch (IOException | RuntimeException e) {
            c.refuse(cannotOpen(s, e));
            return;
        }
        Guard guard = null;
        if (store instanceof LockingStore l && !store.readOnly()) {
            try {
                guard = Failover.guard(s.name(), l);
            } catch (IOException ex) {
                closeQuietly(store);
                c.refuse(cannotOpen(s, ex));
                return;
            }
        }
        start(c, store, guard);
    }

    /** Starts c on its opened store, guarded by its lock (null: a store without one, or read-only). */
    private void start(ExportComponent c, BlockStore store, Guard guard) {
        ExportSettings s = c.settings;
        StateFile sf = new StateFile(stateDir.resolve(s.name() + ".state"), timer);
        LiveState live = sf.load(new StateFile.Configured(s.configString(), s.allowedMacs()));
        Export e = new Export(s, c.source, store, sf, live);
        e.guard = guard;
        c.running = e;
        if (guard != null && guard.role == Guard.Role.HOLDER) {
            Failover.adopt(e, guard);
        }
        watchSize(e);
        failover.watchFence(e);
        applyExtensions(c);
        if (guard != null && guard.role == Guard.Role.STANDBY) {
            c.status(ExportState.STANDBY, Failover.standbyDetail(guard));
            LOG.info("export {} ({}): {} on {} from {}: standby, the image's lock is held by {}", s.name(), c.source,
                    s.address(), s.interfaces(), store.describe(), guard.holder);
            for (String ifname : s.interfaces()) {
                port(s.transport(), ifname).attach(e);
            }
            return;
        }
        c.status(ExportState.PROBING, "");
        LOG.info("export {} ({}): {} on {} from {}", s.name(), c.source, s.address(), s.interfaces(), store.describe());
        for (String ifname : s.interfaces()) {
            Port p = port(s.transport(), ifname);
            p.attach(e);
            if (p.isUp()) {
                probe(p, e);
            }
        }
        String waiting = waitingForInterfaces(e);
        if (waiting != null) {
            c.status(ExportState.WAITING, waiting);
        }
    }

    /**
     * "for interface IF (why)" (the detail of WAITING) when none of the export's interfaces is up, listing each;
     * null when at least one is up (the export probes or serves there).
     */
    private String waitingForInterfaces(Export e) {
        List<String> down = new ArrayList<>();
        for (String ifname : e.settings.interfaces()) {
            Port p = ports.get(key(e.settings.transport(), ifname));
            if (p != null && p.isUp()) {
                return null;
            }
            String why = p == null || p.link() == null ? "" : p.link().problem();
            down.add(why.isEmpty() ? ifname : ifname + " (" + why + ")");
        }
        return "for interface " + String.join(", ", down);
    }

    private void stop(ExportComponent c) {
        Export e = c.running;
        if (e == null) {
            return;
        }
        c.running = null;
        for (Port p : portsOf(e)) {
            p.detach(e);
            if (e.guard != null) {
                p.endProbe(e);                     // a standby's query in progress
            }
        }
        e.stop();
        c.status(ExportState.STOPPED, "");
        LOG.info("export {} ({}): stopped", e.name(), c.source);
    }

    private static String key(String transport, String ifname) {
        return transport + ":" + ifname;
    }

    private Port port(String transport, String ifname) {
        return ports.computeIfAbsent(key(transport, ifname), k -> {
            Port p = new Port(ifname, transport, this);
            Link l = transports.get(transport).open(ifname, p, new Transport.Options(receiveBuffer()));
            p.link(l);
            return p;
        });
    }

    /** Room in the kernel for every export's full window of frames: buffer count × 9 KiB × exports. */
    private int receiveBuffer() {
        long total = 0;
        for (ExportComponent c : exports.values()) {
            if (c.settings != null) {
                total += (long) c.settings.bufferCount() * 9216;
            }
        }
        return (int) Math.max(4 << 20, Math.min(total, 256 << 20));
    }

    private void closeUnusedPorts() {
        ports.entrySet().removeIf(en -> {
            if (en.getValue().attached().isEmpty()) {
                en.getValue().close();
                return true;
            }
            return false;
        });
    }

    /** A port came up (or its MTU/MAC changed): probe exports not yet answering, re-advertise the rest. */
    void portUp(Port p) {
        ownMacs.add(p.mac());
        timer.execute(() -> {
            synchronized (ExportRegistry.this) {
                if (ports.get(key(p.transport, p.name)) != p) {
                    return;
                }
                for (Export e : p.attached()) {
                    Guard g = e.guard;
                    if (g != null && g.role == Guard.Role.STANDBY) {
                        continue;                  // the failover tick watches on this port from now on
                    }
                    if (p.isActive(e) && (g == null || g.lock.ownsLock())) {
                        p.advertise(e);
                    } else {
                        p.deactivate(e);
                        probe(p, e);
                    }
                }
            }
        });
    }

    /** A port went down: exports that answer on no other interface now wait for one. */
    void portDown(Port p) {
        timer.execute(() -> {
            synchronized (ExportRegistry.this) {
                for (Export e : p.attached()) {
                    Guard g = e.guard;
                    if (g != null && g.role == Guard.Role.STANDBY) {
                        continue;                  // stands by whatever its interfaces do
                    }
                    ExportComponent c = owner(e);
                    String waiting = waitingForInterfaces(e);
                    if (c != null && waiting != null) {
                        c.status(ExportState.WAITING, waiting);
                    }
                }
            }
        });
    }

    private void probe(Port p, Export e) {
        ExportComponent c = owner(e);
        if (c != null && c.waitsForInterface()) {
            c.status(ExportState.PROBING, "");
        }
        p.startProbe(e);
        timer.schedule(() -> finishProbe(p, e), PROBE_MS, TimeUnit.MILLISECONDS);
    }

    private synchronized void finishProbe(Port p, Export e) {
        long foreign = p.endProbe(e);
        ExportComponent c = owner(e);
        if (c == null) {
            return;                                // stopped meanwhile
        }
        if (!failover.mayAnswer(c, e)) {
            return;                                // a standby, or a holder that lost its lock
        }
        if (foreign != 0) {
            String msg = e.settings.address() + " is already answered by " + Mac.format(foreign) + " on "
                    + p.name + ": refusing to start (the Linux driver would mix both targets' data)";
            LOG.error("export {} ({}): {}", e.name(), c.source, msg);
            stop(c);
            c.refusal = msg;
            c.status(ExportState.REFUSED, msg);
            return;
        }
        p.activate(e);
        p.advertise(e);
        e.answered = true;
        c.status(ExportState.SERVING, "");
        LOG.info("export {}: {} answering on {}", e.name(), e.settings.address(), p.name);
    }

    /** The component an export runs for; null once it stopped. */
    synchronized ExportComponent owner(Export e) {
        for (ExportComponent c : exports.values()) {
            if (c.running == e) {
                return c;
            }
        }
        return null;
    }

    /** The open ports of the export's interfaces (an interface without one is left out). */
    synchronized List<Port> portsOf(Export e) {
        List<Port> open = new ArrayList<>();
        for (String ifname : e.settings.interfaces()) {
            Port p = ports.get(key(e.settings.transport(), ifname));
            if (p != null) {
                open.add(p);
            }
        }
        return open;
    }

    /** Hands a holder's lock over to a standby appliance ({@link Failover#handover}). */
    void handover(ExportComponent c) throws IOException {
        failover.handover(c);
    }

    /** A store whose size can change by itself (an RBD image) tells the export, which re-advertises. */
    private void watchSize(Export e) {
        if (e.base instanceof ResizingStore r) {
            BlockStore b = e.base;
            r.onResize(() -> resized(e, b));
        }
    }

    /** The store of a running export changed its size: the next IDENTIFY has it; advertise again. */
    synchronized void resized(Export e, BlockStore store) {
        ExportComponent c = owner(e);
        if (c == null || e.base != store) {
            return;                                // stopped or reopened since
        }
        e.resized();
        LOG.info("export {}: {} now has {} sectors; advertising again", e.name(), store.describe(), store.sectors());
        readvertise(e);
    }

    /** Re-advertises a running export (after its live mask list was reset). */
    synchronized void readvertise(Export e) {
        for (Port p : portsOf(e)) {
            if (p.isActive(e)) {
                p.advertise(e);
            }
        }
    }

}
