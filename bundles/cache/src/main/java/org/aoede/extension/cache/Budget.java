package org.aoede.extension.cache;

import java.util.concurrent.atomic.AtomicLong;

/** The global cap: bytes cached by all exports together. */
final class Budget {
    private final long max;
    private final AtomicLong used = new AtomicLong();

    Budget(long max) {
        this.max = max;
    }

    boolean reserve(long n) {
        while (true) {
            long u = used.get();
            if (u + n > max) {
                return false;
            }
            if (used.compareAndSet(u, u + n)) {
                return true;
            }
        }
    }

    void release(long n) {
        used.addAndGet(-n);
    }

    long used() {
        return used.get();
    }

    long max() {
        return max;
    }
}
