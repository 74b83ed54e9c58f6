package org.aoede.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.aoede.api.BlockStore;
import org.aoede.api.IoRequest;
import org.aoede.api.ReplyRound;
import org.aoede.api.StoreSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Direct mode through Linux AIO on a real file system (the module's build directory, not /tmp,
 * which may be tmpfs): reads and writes submitted many at once and completed on the store's own
 * thread, unaligned writes, flush, errors, more requests than the AIO depth, close.
 */
class LinuxAioTest {
    static final int S = BlockStore.SECTOR;
    Path dir;

    @BeforeEach
    void directory() throws IOException {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target, "aio-test-");
        assumeTrue(DirectModeTest.supportsDirect(dir),
                "the file system of " + dir + " refuses O_DIRECT: Linux AIO in direct mode not tested");
        String why = LinuxAio.unavailable();
        assumeTrue(why == null, "Linux AIO not available here: " + why);
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** A request as the export makes it: heap data, completion recorded with its thread. */
    static final class Req implements IoRequest {
        final int kind;
        final long lba;
        final int count;
        final ByteBuffer data;
        final CountDownLatch done = new CountDownLatch(1);
        /** Submitted as part of a receive batch: the store may hold it until submitBatchEnd. */
        boolean batched;
        final AtomicReference<IOException> error = new AtomicReference<>();
        volatile String thread;
        volatile int completions;
        /** The reply round its completion ran in, if any; it is told to hold a reply there. */
        volatile Replies replies;
        volatile boolean inRound;

        Req(int kind, long lba, int count, ByteBuffer data) {
            this.kind = kind;
            this.lba = lba;
            this.count = count;
            this.data = data;
        }

        static Req read(long lba, int count) {
            ByteBuffer b = ByteBuffer.allocate(count * S + 100).position(50);
            return new Req(READ, lba, count, b.slice().limit(count * S));
        }

        static Req write(long lba, byte[] bytes) {
            return new Req(WRITE, lba, bytes.length / S, ByteBuffer.wrap(bytes));
        }

        static Req flush() {
            return new Req(FLUSH, 0, 0, ByteBuffer.allocate(0));
        }

        @Override
        public int kind() {
            return kind;
        }

        @Override
        public long lba() {
            return lba;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public ByteBuffer data() {
            return data;
        }

        @Override
        public boolean batched() {
            return batched;
        }

        Req inBatch() {
            batched = true;
            return this;
        }

        @Override
        public void completed(IOException e) {
            ReplyRound round = ReplyRound.current();
            inRound = round != null;
            if (round != null && replies != null) {
                replies.held.incrementAndGet();     // as a link holds the reply until the round ends
                round.hold(replies);
            }
            thread = Thread.currentThread().getName();
            error.set(e);
            completions++;
            done.countDown();
        }

        void await() throws InterruptedException {
            assertTrue(done.await(10, TimeUnit.SECONDS), "completed");
            assertEquals(1, completions, "completed exactly once");
        }

        byte[] bytes() {
            byte[] b = new byte[count * S];
            data.duplicate().clear().get(b);
            return b;
        }
    }

    /** A link's part in a reply round: replies held, rounds ended. */
    static final class Replies implements ReplyRound.Holder {
        final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void endOfRound() {
            held.set(0);
            rounds.incrementAndGet();
        }
    }

    Path image(int sectors, long seed) throws IOException {
        Path f = dir.resolve("aio-" + System.nanoTime() + ".img");
        byte[] b = new byte[sectors * S];
        new Random(seed).nextBytes(b);
        Files.write(f, b);
        return f;
    }

    static FileStore open(Path f, boolean readOnly, long offset, long length) throws IOException {
        return FileStore.open(new StoreSpec(f, readOnly, true, false, offset, length));
    }

    @Test
    void manyReadsAndWritesInFlightCompleteOnTheStoresThread() throws Exception {
        int sectors = 8192;                                 // 4 MiB
        Path f = image(sectors, 1);
        byte[] model = Files.readAllBytes(f);
        Random rnd = new Random(2);
        try (FileStore st = open(f, false, 0, 0)) {
            assertTrue(st.submits());
            // 1000 aligned 4 KiB writes to distinct blocks, then reads of other blocks, all at once
            List<Req> writes = new ArrayList<>();
            List<Integer> blocks = new ArrayList<>();
            for (int i = 0; i < sectors / 8; i++) {
                blocks.add(i);
            }
            java.util.Collections.shuffle(blocks, rnd);
            for (int i = 0; i < 600; i++) {                 // more than the AIO depth: some wait for a slot
                byte[] b = new byte[8 * S];
                rnd.nextBytes(b);
                int blk = blocks.get(i);
                System.arraycopy(b, 0, model, blk * 8 * S, b.length);
                Req w = Req.write(blk * 8L, b);
                writes.add(w);
                st.submit(w);
            }
            List<Req> reads = new ArrayList<>();
            for (int i = 600; i < 1000; i++) {
                int lba = blocks.get(i) * 8 + rnd.nextInt(8);          // unaligned reads too
                int count = 1 + rnd.nextInt(Math.min(17, sectors - lba));
                Req r = Req.read(lba, count);
                reads.add(r);
                st.submit(r);
            }
            for (Req w : writes) {
                w.await();
                assertNull(w.error.get());
                assertTrue(w.thread.startsWith("aoede-aio-"), w.thread);
            }
            for (Req r : reads) {
                r.await();
                assertNull(r.error.get());
                byte[] want = java.util.Arrays.copyOfRange(model, (int) r.lba * S, (int) (r.lba + r.count) * S);
                assertArrayEquals(want, r.bytes(), "read at " + r.lba);
            }
            Req fl = Req.flush();
            st.submit(fl);
            fl.await();
            assertNull(fl.error.get());
            assertEquals(0, st.aioInKernel());
        }
        assertArrayEquals(model, Files.readAllBytes(f));
    }

    @Test
    void completionsReapedTogetherEndOneReplyRound() throws Exception {
        Path f = image(2048, 3);
        Replies replies = new Replies();
        try (FileStore st = open(f, true, 0, 0)) {
            List<Req> reads = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                Req r = Req.read(i * 8L, 8);
                r.replies = replies;
                reads.add(r);
                st.submit(r);
            }
            for (Req r : reads) {
                r.await();
                assertNull(r.error.get());
                assertTrue(r.inRound, "completed outside a reply round: its reply would leave alone");
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (replies.held.get() != 0 && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertEquals(0, replies.held.get(), "a held reply whose round never ended");
            int rounds = replies.rounds.get();
            assertTrue(rounds >= 1 && rounds <= 64, rounds + " rounds for 64 completions");
        }
    }

    @Test
    void batchedRequestsWaitForTheBatchEndAndGoInOneSubmit() throws Exception {
        int sectors = 1024;
        Path f = image(sectors, 7);
        byte[] model = Files.readAllBytes(f);
        Random rnd = new Random(8);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                LinuxAio st = batching(f, ch)) {
            long calls0 = st.submitCalls();
            List<Req> batch = new ArrayList<>();
            for (int i = 0; i < 16; i++) {                  // 8 aligned 4 KiB writes, 8 reads of other blocks
                Req r;
                if (i % 2 == 0) {
                    byte[] b = new byte[8 * S];
                    rnd.nextBytes(b);
                    System.arraycopy(b, 0, model, i * 8 * S, b.length);
                    r = Req.write(i * 8L, b).inBatch();
                } else {
                    r = Req.read(i * 8L + 1, 5).inBatch();
                }
                batch.add(r);
                st.submit(r);
            }
            Thread.sleep(100);
            for (Req r : batch) {
                assertEquals(1, r.done.getCount(), "held until the batch ends");
            }
            assertEquals(16, st.inKernel());
            assertEquals(calls0, st.submitCalls());
            Req now = Req.read(200, 8);                      // not batched: goes at once
            st.submit(now);
            now.await();
            assertNull(now.error.get());
            assertEquals(calls0 + 1, st.submitCalls());
            st.submitBatchEnd();
            for (Req r : batch) {
                r.await();
                assertNull(r.error.get());
                if (r.kind == IoRequest.READ) {
                    byte[] want = java.util.Arrays.copyOfRange(model, (int) r.lba * S, (int) (r.lba + r.count) * S);
                    assertArrayEquals(want, r.bytes(), "read at " + r.lba);
                }
            }
            assertEquals(calls0 + 2, st.submitCalls(), "one io_submit for the batch");
            assertEquals(17, st.submitted());
            st.submitBatchEnd();                             // nothing held: no call
            assertEquals(calls0 + 2, st.submitCalls());
            assertEquals(0, st.inKernel());
        }
        assertArrayEquals(model, Files.readAllBytes(f));
    }

    @Test
    void heldRequestsFailWhenTheStoreCloses() throws Exception {
        Path f = image(64, 9);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            LinuxAio st = batching(f, ch);
            Req r = Req.read(0, 8).inBatch();
            st.submit(r);
            st.close();
            r.await();
            assertNotNull(r.error.get());
            st.submitBatchEnd();                             // after close: nothing, no crash
        }
    }

    /** A Linux AIO of its own on f that holds batched requests until the batch ends ({@code aoede.aio.batch=true}). */
    private static LinuxAio batching(Path f, FileChannel ch) throws IOException {
        int align = DirectIo.alignment(f);
        return new LinuxAio(f, false, false, align, 0, new DirectIo(ch, align), true);
    }

    @Test
    void unalignedWritesInOneBlockDoNotUndoEachOther() throws Exception {
        Path f = image(64, 3);
        byte[] model = Files.readAllBytes(f);
        try (FileStore st = open(f, false, 0, 0)) {
            // every sector of blocks 1 and 2 written by its own 1 KiB-or-less write, all at once
            List<Req> reqs = new ArrayList<>();
            for (int lba = 8; lba < 24; lba += 2) {
                byte[] b = new byte[2 * S];
                java.util.Arrays.fill(b, (byte) lba);
                System.arraycopy(b, 0, model, lba * S, b.length);
                Req w = Req.write(lba, b);
                reqs.add(w);
                st.submit(w);
            }
            byte[] b = new byte[3 * S];                     // across a block boundary
            java.util.Arrays.fill(b, (byte) 99);
            System.arraycopy(b, 0, model, 30 * S, b.length);
            Req across = Req.write(30, b);
            reqs.add(across);
            st.submit(across);
            for (Req r : reqs) {
                r.await();
                assertNull(r.error.get());
            }
            Req r = Req.read(5, 30);
            st.submit(r);
            r.await();
            assertArrayEquals(java.util.Arrays.copyOfRange(model, 5 * S, 35 * S), r.bytes());
        }
        assertArrayEquals(model, Files.readAllBytes(f));
    }

    @Test
    void aWindowAtAnOffset() throws Exception {
        Path f = image(64, 4);
        byte[] model = Files.readAllBytes(f);
        try (FileStore st = open(f, false, 8, 16)) {
            byte[] b = new byte[8 * S];
            java.util.Arrays.fill(b, (byte) 7);
            Req w = Req.write(8, b);                        // file sectors 16..23: aligned in the file
            st.submit(w);
            w.await();
            assertNull(w.error.get());
            System.arraycopy(b, 0, model, 16 * S, b.length);
            Req r = Req.read(0, 16);
            st.submit(r);
            r.await();
            assertArrayEquals(java.util.Arrays.copyOfRange(model, 8 * S, 24 * S), r.bytes());
            Req past = Req.read(15, 2);
            st.submit(past);
            past.await();
            assertNotNull(past.error.get(), "past the window's end");
        }
        assertArrayEquals(model, Files.readAllBytes(f));
    }

    @Test
    void readOnlyRefusesWritesAndCompletesFlushes() throws Exception {
        Path f = image(32, 5);
        try (FileStore st = open(f, true, 0, 0)) {
            assertTrue(st.submits());
            Req w = Req.write(0, new byte[8 * S]);
            st.submit(w);
            w.await();
            assertNotNull(w.error.get());
            Req fl = Req.flush();
            st.submit(fl);
            fl.await();
            assertNull(fl.error.get());
            Req r = Req.read(0, 8);
            st.submit(r);
            r.await();
            assertNull(r.error.get());
            assertArrayEquals(java.util.Arrays.copyOf(Files.readAllBytes(f), 8 * S), r.bytes());
        }
    }

    @Test
    void afterCloseRequestsFailAndTheThreadEnds() throws Exception {
        Path f = image(32, 6);
        FileStore st = open(f, false, 0, 0);
        Req r = Req.read(0, 8);
        st.submit(r);
        r.await();
        st.close();
        Req late = Req.read(0, 8);
        st.submit(late);
        late.await();
        assertNotNull(late.error.get());
        Thread.sleep(300);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().startsWith("aoede-aio-" + f.getFileName() + "-completions"), "completion thread ended");
        }
    }

    @Test
    void syncWithoutDirectDoesNotSubmit() throws Exception {
        Path f = image(32, 7);
        try (FileStore st = FileStore.open(new StoreSpec(f, false, false, true, 0, 0))) {
            assertFalse(st.submits(), "sync without direct: the I/O threads");
        }
    }
}
