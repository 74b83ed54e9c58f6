package org.aoede.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What to open as a {@link BlockStore}.
 *
 * @param file          regular file, sparse image or block device
 * @param readOnly      open read-only
 * @param direct        bypass the page cache (O_DIRECT)
 * @param sync          every write on stable storage before it is acknowledged (O_DSYNC)
 * @param offsetSectors start of the export's window in the file
 * @param lengthSectors length of the window, 0 = to the end of the file
 */
public record StoreSpec(Path file, boolean readOnly, boolean direct, boolean sync,
                        long offsetSectors, long lengthSectors) {

    /**
     * A store refused for one of its settings: {@code key} names it as an export's .cfg does
     * ({@code file}, {@code offset}, {@code length}, {@code direct}), so an operator knows what to fix.
     */
    public static final class Invalid extends IOException {
        private static final long serialVersionUID = 1L;
        public final String key;

        public Invalid(String key, String reason) {
            super("key '" + key + "': " + reason);
            this.key = key;
        }
    }
}
