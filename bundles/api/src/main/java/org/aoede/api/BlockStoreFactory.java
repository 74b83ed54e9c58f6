package org.aoede.api;

import java.io.IOException;

/** Opens {@link BlockStore}s; the single place that knows which files are in use. */
public interface BlockStoreFactory {
    /**
     * Opens a store. Refuses (with a message saying why) a missing file, a window past the end,
     * a second writer of the same file or an overlapping window, and a block device in use.
     */
    BlockStore open(StoreSpec spec) throws IOException;

    /**
     * Refuses what {@link #open} would refuse, without holding anything open afterwards: so a new
     * or edited export is refused before its configuration is written. {@code replacing} is the
     * spec of the store the caller would close first (an edit of a running export), or null: its
     * own claims on the file do not count against the new spec. A factory that can only tell by
     * opening leaves this empty and refuses at {@link #open}.
     */
    default void check(StoreSpec spec, StoreSpec replacing) throws IOException {
    }
}
