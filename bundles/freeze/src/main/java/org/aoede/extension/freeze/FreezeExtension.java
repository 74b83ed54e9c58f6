package org.aoede.extension.freeze;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.aoede.api.BlockStore;
import org.aoede.api.ExportAdmin;
import org.aoede.api.ExportHandle;
import org.aoede.api.Extension;
import org.aoede.api.Freezer;
import org.aoede.protocol.Sizes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freeze ({@code extensions = freeze}): wraps an export's store in a {@link FreezeStore} and
 * freezes/unfreezes it on request ({@link Freezer}). Per export, in its {@code .cfg}:
 * <ul>
 * <li>{@code freeze.shadow} — the shadow file (default {@code ${karaf.data}/aoede/shadow/NAME.shadow});</li>
 * <li>{@code freeze.limit} — the most the shadow may hold (K, M, G, T suffixes; default: no limit).
 * Writes beyond it fail with an ATA error.</li>
 * <li>{@code freeze.merge-rate} — bytes per second the merge after an unfreeze copies at most
 * (default 0: unlimited), so a long merge leaves the disk to the initiators.</li>
 * </ul>
 * While frozen or merging, the export's state (in the target) requires this extension
 * ({@link ExportHandle#require}): without the bundle the export answers nothing instead of serving
 * the image without its shadow.
 */
@Component(service = {Extension.class, Freezer.class}, property = Extension.NAME + "=" + Freezer.EXTENSION)
public final class FreezeExtension implements Extension, Freezer {
    private static final Logger LOG = LoggerFactory.getLogger(FreezeExtension.class);

    /** The current FreezeStore of each export using freeze (old wrapper chains may still share it). */
    private final Map<String, FreezeStore> cores = new HashMap<>();

    @Override
    public synchronized BlockStore wrap(ExportHandle export, Map<String, String> settings, BlockStore store) {
        String exportName = export.name();
        Path path;
        long limit;
        long rate;
        try {
            for (String k : settings.keySet()) {
                if (!k.equals("shadow") && !k.equals("limit") && !k.equals("merge-rate")) {
                    throw new IllegalArgumentException("unknown key freeze." + k);
                }
            }
            path = shadowPath(exportName, settings.get("shadow"));
            limit = settings.containsKey("limit") ? parseSize("freeze.limit", settings.get("limit")) / BlockStore.SECTOR : 0;
            rate = settings.containsKey("merge-rate") ? parseSize("freeze.merge-rate", settings.get("merge-rate")) : 0;
        } catch (IllegalArgumentException e) {
            return unusable(exportName, store, e.getMessage());
        }
        FreezeStore core = cores.get(exportName);
        if (core != null) {
            if (core.path.equals(path) && core.limit == limit && core.sectors() == store.sectors()) {
                core.inner(store);             // the new chain's store under the same state
                core.mergeRate = rate;
                core.handle = export;
                core.refs++;
                return new FreezeStore.Handle(core, () -> release(core));
            }
            if (core.state() != State.NORMAL) {
                // the image alone (or another shadow) would answer wrongly: errors until put back
                return unusable(exportName, store, "freeze.shadow, freeze.limit or the size changed while "
                        + core.state() + " with " + core.path + "; put them back");
            }
            cores.remove(exportName);          // its old wrappers close soon
        }
        FreezeStore fresh;
        try {
            fresh = new FreezeStore(exportName, store, path, limit, () -> merged(exportName));
        } catch (IOException | RuntimeException e) {
            return unusable(exportName, store, "shadow " + path + " unusable: " + e.getMessage());
        }
        fresh.refs = 1;
        fresh.mergeRate = rate;
        fresh.handle = export;
        cores.put(exportName, fresh);
        LOG.info("export {}: freeze ready ({}, shadow {}{})", exportName, fresh.state(), path,
                limit > 0 ? ", limit " + limit * BlockStore.SECTOR / 1024 + " KiB" : "");
        return new FreezeStore.Handle(fresh, () -> release(fresh));
    }

    private synchronized void release(FreezeStore core) {
        if (--core.refs == 0) {
            cores.remove(core.export, core);
            core.close();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        for (FreezeStore c : new ArrayList<>(cores.values())) {
            c.close();
        }
        cores.clear();
    }

    /** A merge ended: the export no longer needs this bundle to answer correctly. */
    private void merged(String export) {
        FreezeStore c;
        synchronized (this) {
            c = cores.get(export);
        }
        if (c == null) {
            return;
        }
        try {
            require(c, false);
        } catch (ExportAdmin.Refused e) {
            LOG.warn("export {}: {}", export, e.getMessage());
        }
    }

    // ---- Freezer -----------------------------------------------------------------------

    /** Marks freeze required (or not) by the core's export, in the export's state file. */
    private static void require(FreezeStore c, boolean on) throws ExportAdmin.Refused {
        try {
            c.handle.require(on);
        } catch (IOException e) {
            throw new ExportAdmin.Refused("export '" + c.export + "': cannot record extension '" + EXTENSION + "' as "
                    + (on ? "required" : "not required") + ": " + e.getMessage());
        }
    }

    /** The export's FreezeStore; the callers have made sure the export exists. */
    private FreezeStore core(String export) throws ExportAdmin.Refused {
        FreezeStore c;
        synchronized (this) {
            c = cores.get(export);
        }
        if (c != null) {
            return c;
        }
        throw new ExportAdmin.Refused("export '" + export + "' does not use freeze (add it to 'extensions' in its .cfg)"
                + " or is not running");
    }

    @Override
    public Status freeze(String export) throws ExportAdmin.Refused {
        FreezeStore c = core(export);
        c.control.lock();
        try {
            switch (c.state()) {
                case FROZEN -> throw new ExportAdmin.Refused("export '" + export + "' is already frozen");
                case MERGING -> throw new ExportAdmin.Refused("export '" + export + "' is still merging its last freeze ("
                        + c.status().percent() + "%); freeze again when that has ended");
                default -> { }
            }
            // recorded first: from the first write into the shadow on, the export must not serve without it
            require(c, true);
            try {
                c.freeze();
            } catch (IOException | RuntimeException e) {
                try {
                    require(c, false);
                } catch (ExportAdmin.Refused r) {
                    LOG.warn("export {}: {}", export, r.getMessage());
                }
                throw new ExportAdmin.Refused("export '" + export + "': cannot freeze: " + e.getMessage());
            }
            return c.status();
        } finally {
            c.control.unlock();
        }
    }

    @Override
    public Status unfreeze(String export) throws ExportAdmin.Refused {
        FreezeStore c = core(export);
        c.control.lock();
        try {
            switch (c.state()) {
                case NORMAL -> throw new ExportAdmin.Refused("export '" + export + "' is not frozen");
                case MERGING -> throw new ExportAdmin.Refused("export '" + export + "' is already merging ("
                        + c.status().percent() + "%)");
                default -> { }
            }
            try {
                c.unfreeze();
            } catch (IOException | RuntimeException e) {
                throw new ExportAdmin.Refused("export '" + export + "': cannot unfreeze: " + e.getMessage());
            }
            return c.status();
        } finally {
            c.control.unlock();
        }
    }

    @Override
    public Optional<Status> status(String export) {
        FreezeStore c;
        synchronized (this) {
            c = cores.get(export);
        }
        return c == null ? Optional.empty() : Optional.of(c.status());
    }

    // ---- settings ----------------------------------------------------------------------

    static Path shadowPath(String export, String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim()).toAbsolutePath();
        }
        String data = System.getProperty("karaf.data", System.getProperty("java.io.tmpdir"));
        return Path.of(data, "aoede", "shadow", export + ".shadow").toAbsolutePath();
    }

    /** Bytes from {@code 4096}, {@code 64K}, {@code 512M}, {@code 2G}, {@code 1T}; a whole number of sectors. */
    static long parseSize(String key, String text) {
        long v = Sizes.parse(key, text);
        if (v < BlockStore.SECTOR || v % BlockStore.SECTOR != 0) {
            throw new IllegalArgumentException(key + ": '" + text + "' must be a positive multiple of 512 bytes");
        }
        return v;
    }

    private static BlockStore unusable(String export, BlockStore store, String why) {
        LOG.error("export {}: freeze: {}; reads and writes fail until this is fixed", export, why);
        return new Unusable(store, why);
    }

    /** Answers every read and write with an error: better than the image without its shadow. */
    static final class Unusable implements BlockStore {
        private final BlockStore inner;
        private final String why;

        Unusable(BlockStore inner, String why) {
            this.inner = inner;
            this.why = why;
        }

        @Override
        public long sectors() {
            return inner.sectors();
        }

        @Override
        public boolean readOnly() {
            return inner.readOnly();
        }

        @Override
        public void read(long lba, ByteBuffer dst) throws IOException {
            throw new IOException("freeze: " + why);
        }

        @Override
        public void write(long lba, ByteBuffer src) throws IOException {
            throw new IOException("freeze: " + why);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public String describe() {
            return inner.describe() + " (freeze unusable: " + why + ")";
        }

        @Override
        public void close() {
        }
    }
}
