package org.aoede.api;

import java.io.IOException;
import java.util.List;

/**
 * A {@link BlockStore} shared by several appliances (an RBD image) and guarded by an exclusive
 * lock that the storage cluster keeps: the writable export that holds the lock answers; the
 * others with the same export stay silent standbys. Breaking another client's lock fences it
 * (the cluster refuses its I/O from then on), so a holder that lost the lock can never write.
 * Every call may talk to the cluster: never call them on the data path.
 */
public interface LockingStore {
    /** Who holds the lock (opaque owner names as the cluster gives them); empty if nobody. */
    List<String> lockOwners() throws IOException;

    /** Takes the lock; fails at once if another client holds it. */
    void lock() throws IOException;

    /** Breaks {@code owner}'s lock, fencing it (the cluster refuses its I/O from now on). */
    void breakLock(String owner) throws IOException;

    /** Gives the lock up (a handover); the store stays open. */
    void unlock() throws IOException;

    /** True while this store holds the lock and has not been fenced (may ask the cluster: a round trip). */
    boolean ownsLock();

    /**
     * Calls {@code listener} (on a thread of the store, never under a lock of the caller's) when
     * I/O failed because the cluster fenced this client; null stops the calls.
     */
    void onFenced(Runnable listener);

    /**
     * Values kept with the shared store for whichever appliance holds it next (an RBD image's
     * metadata): the export's live state. Null for a key never written.
     */
    String shared(String key) throws IOException;

    /** Writes a value {@link #shared} returns, for the next holder (only the lock's holder writes). */
    void share(String key, String value) throws IOException;

    /** What an operator reads for an owner: the appliance that took it, if it said so; else the owner. */
    default String describeOwner(String owner) {
        return owner;
    }
}
