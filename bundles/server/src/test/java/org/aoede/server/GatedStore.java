package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An asynchronous {@link MemStore} whose every call waits in the store until the test lets it go
 * (in any order), or makes it fail: completions under the test's control.
 */
final class GatedStore extends MemStore implements HeldStore {
    /** One call waiting in the store. */
    static final class Gate implements HeldStore.Held {
        final String kind;
        final long lba;
        final CountDownLatch go = new CountDownLatch(1);
        volatile IOException failure;

        Gate(String kind, long lba) {
            this.kind = kind;
            this.lba = lba;
        }

        @Override
        public void release() {
            go.countDown();
        }

        @Override
        public void fail(IOException e) {
            failure = e;
            go.countDown();
        }

        @Override
        public String toString() {
            return kind + "@" + lba;
        }
    }

    final BlockingQueue<Gate> arrived = new LinkedBlockingQueue<>();

    GatedStore(long sectors) {
        super(sectors, false);
    }

    @Override
    public boolean asynchronous() {
        return true;
    }

    private void gate(String kind, long lba) throws IOException {
        Gate g = new Gate(kind, lba);
        arrived.add(g);
        try {
            g.go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
        if (g.failure != null) {
            throw g.failure;
        }
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        gate("read", lba);
        super.read(lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        gate("write", lba);
        super.write(lba, src);
    }

    @Override
    public void flush() {
        try {
            gate("flush", -1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        super.flush();
    }

    /** The next call to arrive in the store (within 5 s). */
    @Override
    public Gate next() throws InterruptedException {
        Gate g = arrived.poll(5, TimeUnit.SECONDS);
        assertNotNull(g, "a call should have reached the store");
        return g;
    }

    /** The next call, or null if none arrives within {@code ms}. */
    @Override
    public Gate none(long ms) throws InterruptedException {
        return arrived.poll(ms, TimeUnit.MILLISECONDS);
    }
}
