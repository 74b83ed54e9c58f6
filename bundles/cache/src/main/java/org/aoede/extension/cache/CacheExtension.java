package org.aoede.extension.cache;

import java.util.Map;

import org.aoede.api.BlockStore;
import org.aoede.api.ExportHandle;
import org.aoede.api.Extension;
import org.aoede.protocol.Sizes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block cache ({@code extensions = cache}): wraps an export's store in a {@link CachingStore}
 * (read cache with sequential read-ahead, write-through). Per export, in its {@code .cfg}:
 * <ul>
 * <li>{@code cache.size} — bytes cached for this export (K, M, G suffixes; default 64M; 0: no
 * caching);</li>
 * <li>{@code cache.readahead} — bytes read ahead of a sequential stream (default 64K; 0: none);</li>
 * <li>{@code cache.coalesce} — coalesce the contiguous writes of one receive batch into one gathering
 * write before acknowledging them (default true);</li>
 * <li>{@code cache.test-latency-us} — the store waits this long on every call, a simulated slow
 * device ({@link LatencyStore}); for measurements, never for serving.</li>
 * </ul>
 * The global cap over all exports is {@code max-total} of the optional configuration
 * {@code org.aoede.cache} (default 1G).
 */
@Component(service = Extension.class, property = Extension.NAME + "=cache", configurationPid = "org.aoede.cache")
public final class CacheExtension implements Extension {
    static final long DEFAULT_SIZE = 64L << 20;
    static final long DEFAULT_READ_AHEAD = 64L << 10;
    static final long DEFAULT_MAX_TOTAL = 1L << 30;
    private static final Logger LOG = LoggerFactory.getLogger(CacheExtension.class);

    private volatile Budget budget = new Budget(DEFAULT_MAX_TOTAL);

    @Activate
    void activate(Map<String, Object> props) {
        Object v = props.get("max-total");
        long max = DEFAULT_MAX_TOTAL;
        if (v != null) {
            try {
                max = Sizes.parse("max-total", String.valueOf(v));
            } catch (IllegalArgumentException e) {
                // a typo must not take the cache away from every export: say so, keep the default
                LOG.error("etc/org.aoede.cache.cfg: {}; the global cap stays at the default {} MiB", e.getMessage(),
                        DEFAULT_MAX_TOTAL >> 20);
            }
        }
        budget = new Budget(max);
        LOG.info("cache: at most {} MiB cached by all exports together (max-total)", max >> 20);
    }

    @Override
    public BlockStore wrap(ExportHandle export, Map<String, String> settings, BlockStore store) {
        String exportName = export.name();
        for (String k : settings.keySet()) {
            if (!k.equals("size") && !k.equals("readahead") && !k.equals("coalesce") && !k.equals("test-latency-us")) {
                LOG.warn("export {}: unknown setting cache.{} ignored", exportName, k);
            }
        }
        long size = size(settings, "size", DEFAULT_SIZE);
        long readAhead = size(settings, "readahead", DEFAULT_READ_AHEAD);
        String co = settings.getOrDefault("coalesce", "true").trim();
        if (!co.equalsIgnoreCase("true") && !co.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("cache.coalesce = " + co + ": not true or false");
        }
        boolean coalesce = Boolean.parseBoolean(co);
        long latency = settings.containsKey("test-latency-us")
                ? Long.parseLong(settings.get("test-latency-us").trim()) : 0;
        BlockStore s = store;
        if (latency > 0) {
            LOG.warn("export {}: simulated slow device: {} us latency injected into every store call (cache.test-latency-us)",
                    exportName, latency);
            s = new LatencyStore(s, latency);
        }
        if (size > 0 || coalesce) {
            s = new CachingStore(s, size, readAhead, budget, coalesce);
        }
        if (s == store) {
            LOG.info("export {}: cache.size = 0, not caching", exportName);
            return store;
        }
        LOG.info("export {}: cache of {} KiB, read-ahead {} KiB, write coalescing {}", exportName, size >> 10,
                readAhead >> 10, coalesce ? "on" : "off");
        return s;
    }

    private static long size(Map<String, String> settings, String key, long def) {
        String v = settings.get(key);
        return v == null ? def : Sizes.parse("cache." + key, v);
    }

    Budget budget() {
        return budget;
    }
}
