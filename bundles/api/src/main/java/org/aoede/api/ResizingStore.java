package org.aoede.api;

/**
 * A {@link BlockStore} whose size can change while it is open, by something outside the appliance
 * (an RBD image resized with {@code rbd resize}). The export listens, so that it re-advertises and
 * its next IDENTIFY shows the new size.
 */
public interface ResizingStore {
    /**
     * Calls {@code listener} after {@link BlockStore#sectors()} changed, on a thread of the store,
     * never under a lock of the caller's; null stops the calls. One listener per store.
     */
    void onResize(Runnable listener);
}
