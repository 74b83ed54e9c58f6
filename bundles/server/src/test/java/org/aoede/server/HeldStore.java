package org.aoede.server;

import java.io.IOException;

/**
 * A test store whose requests wait until the test lets them go: {@link GatedStore} (calls on the
 * I/O threads) and {@link SubmittingStore} (submissions completed later), so that the rules both
 * ways share are checked by one test body ({@link InFlightRules}).
 */
interface HeldStore {
    /** One request held in the store. */
    interface Held {
        /** Lets it do its work and complete. */
        void release() throws InterruptedException;

        /** Completes it with {@code e}. */
        void fail(IOException e) throws InterruptedException;
    }

    /** The next request to reach the store (within 5 s). */
    Held next() throws InterruptedException;

    /** The next request, or null if none reaches the store within {@code ms}. */
    Held none(long ms) throws InterruptedException;
}
