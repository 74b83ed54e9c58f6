package org.aoede.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.sun.nio.file.ExtendedOpenOption;
import org.aoede.api.BlockStore;
import org.aoede.api.StoreSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct mode (O_DIRECT): unaligned AoE-sized accesses through aligned read-modify-write,
 * and no lost update when several threads write into one 4 KiB block.
 */
class DirectModeTest {
    static final int S = BlockStore.SECTOR;

    @TempDir
    Path tempDir;
    Path dir;

    /** @TempDir may be on tmpfs, which refuses O_DIRECT: find a directory that supports it. */
    @BeforeEach
    void findDirectory() throws IOException {
        List<Path> tried = new ArrayList<>();
        if (supportsDirect(tempDir)) {
            dir = tempDir;
            return;
        }
        tried.add(tempDir);
        for (String p : new String[] {"/var/tmp", "/work/tmp", System.getProperty("user.dir") + "/target"}) {
            Path parent = Path.of(p);
            if (!Files.isDirectory(parent) || !Files.isWritable(parent)) {
                continue;
            }
            Path c = Files.createTempDirectory(parent, "aoede-direct-");
            if (supportsDirect(c)) {
                dir = c;
                return;
            }
            Files.deleteIfExists(c);
            tried.add(parent);
        }
        assumeTrue(false, "O_DIRECT is not supported in any of " + tried + " (tmpfs?): direct mode not tested");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (dir != null && !dir.equals(tempDir)) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    static boolean supportsDirect(Path d) {
        Path probe = d.resolve("odirect-probe");
        try {
            Files.write(probe, new byte[8192]);
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    ExtendedOpenOption.DIRECT)) {
                ByteBuffer b = ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096).limit(4096);
                ch.read(b, 4096);
                b.flip();
                ch.write(b, 0);
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    Path image(int sectors, long seed) throws IOException {
        Path f = dir.resolve("direct-" + System.nanoTime() + ".img");
        byte[] b = new byte[sectors * S];
        new Random(seed).nextBytes(b);
        Files.write(f, b);
        return f;
    }

    static byte[] fresh(Path f) throws IOException {
        return Files.readAllBytes(f);
    }

    static StoreSpec direct(Path f, long offset, long length) {
        return new StoreSpec(f, false, true, false, offset, length);
    }

    /** Direct and sync stores wait for the device: the export hands their calls to I/O threads; buffered ones not. */
    @Test
    void directAndSyncAreAsynchronousBufferedIsNot() throws Exception {
        Path f = Files.write(dir.resolve("async.img"), new byte[64 * S]);
        try (FileStore d = FileStore.open(direct(f, 0, 8))) {
            assertTrue(d.asynchronous());
        }
        try (FileStore s = FileStore.open(new StoreSpec(f, false, false, true, 8, 8))) {
            assertTrue(s.asynchronous());
        }
        try (FileStore b = FileStore.open(new StoreSpec(f, false, false, false, 16, 8))) {
            assertEquals(false, b.asynchronous());
        }
        try (FileStore r = FileStore.open(new StoreSpec(f, true, false, true, 24, 8))) {
            assertEquals(false, r.asynchronous(), "read-only sync: the page cache serves it");
        }
    }

    @Test
    void aGatheringWriteGoesOutAsOneAlignedWrite() throws Exception {
        byte[] b = new byte[128 * S];
        java.util.Arrays.fill(b, FileStoreTest.CANARY);
        Path f = Files.write(dir.resolve("gather-a.img"), b);
        Path g = Files.write(dir.resolve("gather-b.img"), b);
        GatherTest.gatherAndCheck(direct(f, 0, 0), true);           // unaligned at both ends
        GatherTest.gatherAndCheck(direct(g, 3, 100), false);
    }

    @Test
    void unalignedOneAndEightAndAHalfKibWritesAtOddSectors() throws Exception {
        Path f = image(256, 1);
        byte[] model = fresh(f);
        Random rnd = new Random(2);
        try (FileStore s = FileStore.open(direct(f, 0, 0))) {
            assertTrue(s.describe().contains("direct"), s.describe());
            int[][] accesses = {{1, 2}, {3, 2}, {7, 2}, {9, 17}, {31, 17}, {63, 2}, {5, 17}, {250, 2}, {239, 17}};
            for (int[] a : accesses) {
                byte[] data = new byte[a[1] * S];
                rnd.nextBytes(data);
                s.write(a[0], ByteBuffer.wrap(data));
                System.arraycopy(data, 0, model, a[0] * S, data.length);
                // visible at once through the page cache to another reader
                byte[] now = fresh(f);
                assertArrayEquals(Arrays.copyOfRange(model, a[0] * S, (a[0] + a[1]) * S),
                        Arrays.copyOfRange(now, a[0] * S, (a[0] + a[1]) * S), "write at " + a[0]);
            }
            assertArrayEquals(model, fresh(f), "nothing outside the writes changed");
            for (int[] a : accesses) {
                ByteBuffer r = ByteBuffer.allocate(a[1] * S);          // a heap buffer, unaligned
                s.read(a[0], r);
                assertArrayEquals(Arrays.copyOfRange(model, a[0] * S, (a[0] + a[1]) * S), r.array());
            }
            // a direct destination buffer with an odd position
            ByteBuffer d = ByteBuffer.allocateDirect(3 * S + 7).position(7);
            s.read(11, d);
            d.position(7);
            byte[] got = new byte[3 * S];
            d.get(got);
            assertArrayEquals(Arrays.copyOfRange(model, 11 * S, 14 * S), got);
        }
        assertEquals(256 * S, Files.size(f), "file size unchanged");
    }

    @Test
    void directWindowAtAnOddOffsetKeepsItsNeighboursIntact() throws Exception {
        Path f = image(64, 3);
        byte[] model = fresh(f);
        try (FileStore s = FileStore.open(direct(f, 3, 21))) {
            byte[] data = new byte[17 * S];
            Arrays.fill(data, (byte) 0x5a);
            s.write(4, ByteBuffer.wrap(data));
            System.arraycopy(data, 0, model, 7 * S, data.length);
            byte[] two = new byte[2 * S];
            Arrays.fill(two, (byte) 0x6b);
            s.write(0, ByteBuffer.wrap(two));
            System.arraycopy(two, 0, model, 3 * S, two.length);
            s.write(19, ByteBuffer.wrap(two));
            System.arraycopy(two, 0, model, 22 * S, two.length);
            assertArrayEquals(model, fresh(f));
        }
    }

    @Test
    void concurrentWritersToOneBlockLoseNoUpdate() throws Exception {
        Path f = image(64, 4);
        int threads = 8;
        int rounds = 400;
        try (FileStore s = FileStore.open(direct(f, 0, 0))) {
            runWriters(threads, rounds, i -> s, i -> (long) i);          // sectors 0..7: one 4 KiB block
            byte[] all = fresh(f);
            for (int i = 0; i < threads; i++) {
                assertSector(all, i, i, rounds - 1);
            }
        }
    }

    @Test
    void concurrentWritersStraddlingBlocksLoseNoUpdate() throws Exception {
        Path f = image(64, 5);
        try (FileStore s = FileStore.open(direct(f, 0, 0))) {
            // 1 KiB writes at odd sectors: 7-8 straddles blocks 0/1, 5-6 and 9-10 share them
            long[] at = {5, 7, 9, 15};
            ExecutorService pool = Executors.newFixedThreadPool(at.length);
            CyclicBarrier start = new CyclicBarrier(at.length);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < at.length; t++) {
                final int id = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < 300; r++) {
                        ByteBuffer b = ByteBuffer.allocate(2 * S);
                        while (b.hasRemaining()) {
                            b.putInt(id).putInt(r);
                        }
                        b.flip();
                        s.write(at[id], b);
                        ByteBuffer back = ByteBuffer.allocate(2 * S);
                        s.read(at[id], back);
                        back.flip();
                        assertEquals(id, back.getInt(), "thread " + id);
                        assertEquals(r, back.getInt(), "thread " + id + " round " + r);
                    }
                    return null;
                }));
            }
            for (Future<?> x : fs) {
                x.get();
            }
            pool.shutdown();
        }
    }

    @Test
    void directWindowsSharingABlockAreRefused() throws Exception {
        Path f = image(64, 6);
        // [0,3) and [3,5) are disjoint in sectors but share the file's first 4 KiB block: each direct
        // store's read-modify-write of that block would undo the other's writes (lost updates).
        try (FileStore a = FileStore.open(direct(f, 0, 3))) {
            IOException e = assertThrows(IOException.class, () -> FileStore.open(direct(f, 3, 5)));
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
            assertThrows(IOException.class, () -> FileStore.open(new StoreSpec(f, false, false, false, 3, 5)),
                    "a buffered neighbour in the same block is refused too");
            FileStore.open(new StoreSpec(f, false, false, false, 8, 8)).close();
        }
        try (FileStore buffered = FileStore.open(new StoreSpec(f, false, false, false, 3, 5))) {
            assertThrows(IOException.class, () -> FileStore.open(direct(f, 0, 3)), "either order");
        }
    }

    @Test
    void alignedDirectWindowsWithConcurrentWritersLoseNoUpdate() throws Exception {
        Path f = image(64, 6);
        int rounds = 300;
        try (FileStore a = FileStore.open(direct(f, 0, 8));
             FileStore b = FileStore.open(direct(f, 8, 8))) {
            FileStore[] stores = {a, a, a, a, b, b, b, b};
            long[] lbas = {4, 5, 6, 7, 0, 1, 2, 3};
            runWriters(8, rounds, i -> stores[i], i -> lbas[i]);
            byte[] all = fresh(f);
            for (int i = 0; i < 8; i++) {
                assertSector(all, i + 4, i, rounds - 1);
            }
        }
    }

    interface StoreOf {
        FileStore of(int thread);
    }

    interface LbaOf {
        long of(int thread);
    }

    /** Thread i writes (i, round) into its own sector and checks it reads back its latest round. */
    static void runWriters(int threads, int rounds, StoreOf store, LbaOf lba) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int id = t;
            fs.add(pool.submit(() -> {
                start.await();
                FileStore s = store.of(id);
                for (int r = 0; r < rounds; r++) {
                    ByteBuffer b = ByteBuffer.allocate(S);
                    while (b.hasRemaining()) {
                        b.putInt(id).putInt(r);
                    }
                    b.flip();
                    s.write(lba.of(id), b);
                    ByteBuffer back = ByteBuffer.allocate(S);
                    s.read(lba.of(id), back);
                    back.flip();
                    assertEquals(id, back.getInt(), "thread " + id);
                    assertEquals(r, back.getInt(), "thread " + id + ": update lost in round " + r);
                }
                return null;
            }));
        }
        try {
            for (Future<?> x : fs) {
                x.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    static void assertSector(byte[] all, int sector, int id, int round) {
        ByteBuffer b = ByteBuffer.wrap(all, sector * S, S);
        while (b.hasRemaining()) {
            assertEquals(id, b.getInt(), "sector " + sector);
            assertEquals(round, b.getInt(), "sector " + sector + ": lost update");
        }
    }

    @Test
    void directWindowEndingInAPartialLastBlockIsRefused() throws Exception {
        Path f = image(9, 7);                       // 4608 bytes: the second 4 KiB block is partial
        byte[] model = fresh(f);
        IOException e = assertThrows(IOException.class, () -> FileStore.open(direct(f, 0, 0)));
        assertTrue(e.getMessage().contains("partial"), e.getMessage());
        assertThrows(IOException.class, () -> FileStore.open(direct(f, 8, 1)));
        try (FileStore s = FileStore.open(direct(f, 0, 8))) {   // ends on the block boundary: fine
            byte[] data = new byte[S];
            Arrays.fill(data, (byte) 0x77);
            s.write(7, ByteBuffer.wrap(data));
            System.arraycopy(data, 0, model, 7 * S, S);
        }
        assertArrayEquals(model, fresh(f), "content, and the file did not grow");
        FileStore.open(new StoreSpec(f, false, false, false, 0, 0)).close();   // buffered mode is fine
    }
}
