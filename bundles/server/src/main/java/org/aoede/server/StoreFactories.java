package org.aoede.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.aoede.api.BlockStore;
import org.aoede.api.BlockStoreFactory;
import org.aoede.api.StoreSpec;

/**
 * The store factories by their {@code aoede.store} property, chosen by the scheme of an export's
 * {@code file}: {@code rbd:POOL/IMAGE} goes to {@code rbd}, any other file to {@code file}.
 */
final class StoreFactories implements BlockStoreFactory {
    /** The service property naming what a factory opens. */
    static final String PROPERTY = "aoede.store";
    static final String FILE = "file";
    /** Schemes known before their bundle is there: an export naming one waits for it. */
    private static final java.util.Set<String> KNOWN = java.util.Set.of("rbd");
    private final Map<String, BlockStoreFactory> byScheme = new ConcurrentHashMap<>();

    /** No factory for an export's scheme (yet): the export waits for the bundle. */
    static final class Missing extends IOException {
        private static final long serialVersionUID = 1L;
        final String scheme;

        Missing(String scheme) {
            super(scheme.equals(FILE) ? "the file store is not there (yet)"
                    : "no store for '" + scheme + ":' is installed (feature aoede-store-" + scheme + ")");
            this.scheme = scheme;
        }
    }

    void add(String scheme, BlockStoreFactory f) {
        byScheme.put(scheme, f);
    }

    boolean remove(String scheme, BlockStoreFactory f) {
        return byScheme.remove(scheme, f);
    }

    /** The scheme of {@code file}: a registered or known {@code NAME:} prefix, else {@link #FILE}. */
    String scheme(Path file) {
        String s = file.toString();
        int colon = s.indexOf(':');
        if (colon > 0) {
            String prefix = s.substring(0, colon);
            if (!prefix.equals(FILE) && (KNOWN.contains(prefix) || byScheme.containsKey(prefix))) {
                return prefix;
            }
        }
        return FILE;
    }

    private BlockStoreFactory factory(StoreSpec spec) throws Missing {
        String scheme = scheme(spec.file());
        BlockStoreFactory f = byScheme.get(scheme);
        if (f == null) {
            throw new Missing(scheme);
        }
        return f;
    }

    @Override
    public BlockStore open(StoreSpec spec) throws IOException {
        return factory(spec).open(spec);
    }

    @Override
    public void check(StoreSpec spec, StoreSpec replacing) throws IOException {
        BlockStoreFactory f = factory(spec);
        f.check(spec, replacing != null && scheme(replacing.file()).equals(scheme(spec.file())) ? replacing : null);
    }
}
