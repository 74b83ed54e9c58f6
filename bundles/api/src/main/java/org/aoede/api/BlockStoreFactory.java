package org.aoede.api;

import java.io.IOException;

/** Opens {@link BlockStore}s; the single place that knows which files are in use. */
public interface BlockStoreFactory {
    /**
     * Opens a store. Refuses (with a message saying why) a missing file, a window past the end,
     * a second writer of the same file or an overlapping window, and a block device in use.
     */
    BlockStore open(StoreSpec spec) throws IOException;
}
