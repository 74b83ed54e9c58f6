package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.aoede.api.IoRequest;

/**
 * A {@link MemStore} that {@link #submits()}: every request waits in the store until the test
 * completes it, in any order and from a thread of the test's (as Linux AIO's completion thread
 * would), fails it, or never completes it.
 */
final class SubmittingStore extends MemStore implements HeldStore {
    /** One submitted request. */
    final class Pending implements HeldStore.Held {
        final IoRequest request;
        final String name;
        /** {@link IoRequest#batched()} when it was submitted. */
        final boolean batched;

        Pending(IoRequest request) {
            this.request = request;
            this.batched = request.batched();
            this.name = (request.kind() == IoRequest.READ ? "read" : request.kind() == IoRequest.WRITE ? "write" : "flush")
                    + "@" + (request.kind() == IoRequest.FLUSH ? -1 : request.lba());
        }

        /** Does the request on the memory and completes it, on a thread named like a completion thread. */
        @Override
        public void release() throws InterruptedException {
            run(() -> {
                IOException failure = null;
                try {
                    switch (request.kind()) {
                        case IoRequest.READ -> read(request.lba(), request.data());
                        case IoRequest.WRITE -> write(request.lba(), request.data());
                        default -> flush();
                    }
                } catch (IOException e) {
                    failure = e;
                }
                request.completed(failure);
            });
        }

        @Override
        public void fail(IOException e) throws InterruptedException {
            run(() -> request.completed(e));
        }

        private void run(Runnable r) throws InterruptedException {
            Thread t = new Thread(r, "test-completion");
            t.start();
            t.join(5000);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    final BlockingQueue<Pending> submitted = new LinkedBlockingQueue<>();
    /** Complete every request with this error inside {@code submit} (a store that cannot start it). */
    volatile IOException refuse;

    SubmittingStore(long sectors) {
        super(sectors, false);
    }

    @Override
    public boolean submits() {
        return true;
    }

    @Override
    public void submit(IoRequest request) {
        if (refuse != null) {
            request.completed(refuse);
            return;
        }
        submitted.add(new Pending(request));
    }

    /** Calls of {@link #submitBatchEnd()}, with the thread of each. */
    final BlockingQueue<String> batchEnds = new LinkedBlockingQueue<>();

    @Override
    public void submitBatchEnd() {
        batchEnds.add(Thread.currentThread().getName());
    }

    /** The next request submitted (within 5 s). */
    @Override
    public Pending next() throws InterruptedException {
        Pending p = submitted.poll(5, TimeUnit.SECONDS);
        assertNotNull(p, "a request should have been submitted");
        return p;
    }

    /** The next request, or null if none is submitted within {@code ms}. */
    @Override
    public Pending none(long ms) throws InterruptedException {
        return submitted.poll(ms, TimeUnit.MILLISECONDS);
    }
}
