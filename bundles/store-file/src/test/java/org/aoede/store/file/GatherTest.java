package org.aoede.store.file;

import static org.aoede.store.file.FileStoreTest.CANARY;
import static org.aoede.store.file.FileStoreTest.S;
import static org.aoede.store.file.FileStoreTest.freshRead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.aoede.api.StoreSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileStore's gathering write: pwritev (buffered, sync), one aligned write (direct), the fallback for heap buffers. */
class GatherTest {
    @TempDir
    Path dir;

    Path image(int sectors) throws IOException {
        Path f = dir.resolve("g-" + System.nanoTime() + ".img");
        byte[] b = new byte[sectors * S];
        Arrays.fill(b, CANARY);
        Files.write(f, b);
        return f;
    }

    static ByteBuffer[] run(boolean direct, int... sectorsAndFill) {
        ByteBuffer[] r = new ByteBuffer[sectorsAndFill.length / 2];
        for (int i = 0; i < r.length; i++) {
            int n = sectorsAndFill[2 * i] * S;
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
            for (int k = 0; k < n; k++) {
                b.put(k, (byte) sectorsAndFill[2 * i + 1]);
            }
            r[i] = b;
        }
        return r;
    }

    static void gatherAndCheck(StoreSpec spec, boolean directBuffers) throws Exception {
        try (FileStore s = FileStore.open(spec)) {
            ByteBuffer[] bufs = run(directBuffers, 2, 1, 17, 2, 1, 3);
            s.write(5, bufs);
            for (ByteBuffer b : bufs) {
                assertEquals(0, b.remaining(), "consumed");
            }
            assertEquals(directBuffers || spec.direct() ? 1 : 0, s.gatheringWrites.sum(),
                    "one gathering call (direct buffers, or direct mode through its bounce buffer)");
            byte[] all = freshRead(spec.file());           // another descriptor: the page cache agrees
            long off = spec.offsetSectors();
            assertEquals(CANARY, all[(int) ((off + 5) * S) - 1], "before the run");
            assertEquals(1, all[(int) ((off + 5) * S)]);
            assertEquals(1, all[(int) ((off + 7) * S) - 1]);
            assertEquals(2, all[(int) ((off + 7) * S)]);
            assertEquals(2, all[(int) ((off + 24) * S) - 1]);
            assertEquals(3, all[(int) ((off + 24) * S)]);
            assertEquals(3, all[(int) ((off + 25) * S) - 1]);
            assertEquals(CANARY, all[(int) ((off + 25) * S)], "after the run");
            ByteBuffer back = ByteBuffer.allocate(20 * S);
            s.read(5, back);                                // and the store reads it back
            assertEquals(3, back.get(20 * S - 1));
        }
    }

    @Test
    void pwritevInAWindow() throws Exception {
        gatherAndCheck(new StoreSpec(image(100), false, false, false, 3, 60), true);
    }

    @Test
    void pwritevWithSync() throws Exception {
        gatherAndCheck(new StoreSpec(image(100), false, false, true, 0, 0), true);
    }

    @Test
    void heapBuffersFallBackToOneWriteEach() throws Exception {
        gatherAndCheck(new StoreSpec(image(100), false, false, false, 1, 0), false);
    }

    @Test
    void outsideTheWindowOrReadOnlyIsRefused() throws Exception {
        Path f = image(64);
        try (FileStore s = FileStore.open(new StoreSpec(f, false, false, false, 0, 32))) {
            assertThrows(IOException.class, () -> s.write(30, run(true, 2, 1, 1, 1)));
        }
        try (FileStore s = FileStore.open(new StoreSpec(f, true, false, false, 0, 32))) {
            assertThrows(IOException.class, () -> s.write(0, run(true, 1, 1)));
        }
        assertEquals(CANARY, freshRead(f)[30 * S]);
    }

    @Test
    void concurrentGatheringWritersLoseNothing() throws Exception {
        Path f = image(8 * 64);
        try (FileStore s = FileStore.open(new StoreSpec(f, false, false, false, 0, 0))) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                ts.add(new Thread(() -> {
                    try {
                        go.await();
                        for (int round = 0; round < 200; round++) {
                            // thread id owns sectors [64 id, 64 id + 64): runs of 4 buffers of 2 sectors
                            s.write(64L * id + (round % 8) * 8, run(true, 2, id + 1, 2, id + 1, 2, id + 1, 2, id + 1));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            ts.forEach(Thread::start);
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(List.of(), failures);
        }
        byte[] all = freshRead(f);
        for (int id = 0; id < 8; id++) {
            for (int k = 0; k < 64 * S; k++) {
                if (all[64 * id * S + k] != id + 1) {
                    throw new AssertionError("thread " + id + " byte " + k + ": " + all[64 * id * S + k]);
                }
            }
        }
    }
}
