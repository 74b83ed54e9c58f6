package org.aoede.api;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks for ranges of units (blocks, groups of sectors) of a store, striped: unit {@code u} is
 * guarded by lock {@code u % n}. A range takes its locks in ascending lock index, whatever the
 * order of its units (a range that crosses a multiple of {@code n} takes its low locks first), so
 * two ranges never wait for each other in a cycle; a range of {@code n} units or more takes every lock.
 * Taken in unit order instead, three ranges across that boundary can deadlock.
 */
public final class StripedLocks {
    private final ReentrantLock[] locks;

    public StripedLocks(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("stripes: " + n);
        }
        locks = new ReentrantLock[n];
        for (int i = 0; i < n; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Locks the units {@code [first, first + count)}; count 0 locks unit {@code first}. */
    public void lock(long first, long count) {
        int n = locks.length;
        if (count >= n) {
            for (ReentrantLock l : locks) {
                l.lock();
            }
            return;
        }
        int a = (int) (first % n);
        int c = (int) Math.max(1, count);
        for (int i = 0; i < a + c - n; i++) {          // the wrapped-around low locks first
            locks[i].lock();
        }
        for (int i = a; i < Math.min(n, a + c); i++) {
            locks[i].lock();
        }
    }

    /** Unlocks what {@link #lock(long, long)} with the same arguments locked. */
    public void unlock(long first, long count) {
        int n = locks.length;
        if (count >= n) {
            for (int i = n - 1; i >= 0; i--) {
                locks[i].unlock();
            }
            return;
        }
        int a = (int) (first % n);
        int c = (int) Math.max(1, count);
        for (int i = Math.min(n, a + c) - 1; i >= a; i--) {
            locks[i].unlock();
        }
        for (int i = a + c - n - 1; i >= 0; i--) {
            locks[i].unlock();
        }
    }
}
