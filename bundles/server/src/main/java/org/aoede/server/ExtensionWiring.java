package org.aoede.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.aoede.api.BlockStore;
import org.aoede.api.ExportHandle;
import org.aoede.api.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installed extensions (the whiteboard), and which of them each running export uses: the ones
 * its configuration names, as hooks ({@link ExtensionChain}) and as store wrappers (rebuilt only
 * when the {@link WrapKey} changes); an export whose state requires a missing one answers nothing.
 * Extensions come and go on any thread; {@link #rewire} runs under the {@link ExportRegistry}'s lock.
 */
final class ExtensionWiring {
    /** The registry's logger: operators find these lines (and set their level) under ExportRegistry. */
    private static final Logger LOG = LoggerFactory.getLogger(ExportRegistry.class);

    private final Map<String, Extension> byName = new ConcurrentHashMap<>();
    /** Where an extension's {@link ExportHandle#require} goes. */
    private final ExportRegistry registry;

    ExtensionWiring(ExportRegistry registry) {
        this.registry = registry;
    }

    void add(String name, Extension x) {
        byName.put(name, x);
    }

    /** True if {@code x} was the one installed under {@code name}. */
    boolean remove(String name, Extension x) {
        return byName.remove(name, x);
    }

    /**
     * Gives a running export the installed extensions its configuration names; notes the missing
     * ones. True if what initiators are told changed: the wrapper chain, the sector count (an
     * extension's trailer), or whether it answers at all (a required extension came or went).
     */
    boolean rewire(ExportComponent c) {
        Export e = c.running;
        if (e == null) {
            return false;
        }
        List<Extension> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<WrapKey.Step> steps = new ArrayList<>();
        for (String name : e.settings.extensions()) {
            Extension x = byName.get(name);
            if (x != null) {
                found.add(x);
                steps.add(new WrapKey.Step(name, x, extensionSettings(c.configured, name)));
            } else {
                missing.add(name);
            }
        }
        // A required extension (its state lives outside it, e.g. a frozen export's shadow) that is
        // missing: answer nothing rather than wrongly. Silence starts before the chain without it serves.
        List<String> waiting = new ArrayList<>();
        for (String name : e.stateFile().required()) {
            if (!e.settings.extensions().contains(name) || !byName.containsKey(name)) {
                waiting.add(name);
            }
        }
        boolean waitingChanged = !waiting.equals(e.waitingFor());
        if (waitingChanged) {
            if (waiting.isEmpty()) {
                LOG.info("export {}: required extensions back, answering again", e.name());
            } else {
                LOG.warn("export {}: waiting for extension '{}' (required by its state), answering nothing",
                        e.name(), String.join("', '", waiting));
            }
        }
        if (!waiting.isEmpty()) {
            e.waitingFor(waiting);
        }
        int trailer = e.trailerBytes();
        e.extensions(found.toArray(new Extension[0]));
        c.missingExtensions(missing);
        WrapKey key = new WrapKey(e.base, steps);
        boolean rewrapped = !key.equals(e.wrapKey);
        if (rewrapped) {
            e.wrapped(wrap(c, e, key), key);
        }
        if (waiting.isEmpty()) {
            e.waitingFor(waiting);
        }
        return rewrapped || waitingChanged || trailer != e.trailerBytes();
    }

    /** The export as extension {@code extension} sees it when it wraps the store. */
    private ExportHandle handle(ExportComponent c, String extension) {
        return new ExportHandle() {
            @Override
            public String name() {
                return c.name;
            }

            @Override
            public void require(boolean required) throws IOException {
                registry.require(c, extension, required);
            }
        };
    }

    /** The chain of the extensions' store wrappers over the export's base store (the base itself if none wraps). */
    private BlockStore wrap(ExportComponent c, Export e, WrapKey key) {
        BlockStore s = e.base;
        for (WrapKey.Step step : key.steps()) {
            String name = step.name();
            try {
                BlockStore w = step.extension().wrap(handle(c, name), step.settings(), s);
                if (w != null) {
                    s = w;
                }
            } catch (RuntimeException ex) {
                LOG.error("export {}: extension '{}' could not wrap the store, serving without it: {}",
                        e.name(), name, ex.toString());
            }
        }
        return s;
    }

    /** The export's configured keys {@code NAME.key}, as {@code key}. */
    static Map<String, String> extensionSettings(Map<String, String> configured, String name) {
        Map<String, String> m = new TreeMap<>();
        String prefix = name + ".";
        configured.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                m.put(k.substring(prefix.length()), v);
            }
        });
        return Collections.unmodifiableMap(m);
    }
}
