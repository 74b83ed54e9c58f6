package org.aoede.server;

import java.util.List;
import java.util.Map;

import org.aoede.api.BlockStore;
import org.aoede.api.Extension;

/**
 * What an export's store wrapper chain is built from: the base store and, in configured order, each
 * installed extension with its settings. Equal keys make the same chain, so it is rebuilt (the
 * export paused) only when the key changes.
 */
record WrapKey(BlockStore base, List<Step> steps) {
    /** One extension of the chain: its name, the service instance and its {@code NAME.*} keys. */
    record Step(String name, Extension extension, Map<String, String> settings) { }

    WrapKey {
        steps = List.copyOf(steps);
    }
}
