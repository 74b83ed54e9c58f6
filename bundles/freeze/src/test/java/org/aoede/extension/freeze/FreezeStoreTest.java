package org.aoede.extension.freeze;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.aoede.api.BlockStore;
import org.aoede.api.Freezer;
import org.aoede.api.MemStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreezeStoreTest {
    static final int S = BlockStore.SECTOR;

    @TempDir
    Path dir;

    final AtomicInteger mergedCalls = new AtomicInteger();

    FreezeStore open(MemStore image, long limit) throws IOException {
        return new FreezeStore("t", image, dir.resolve("t.shadow"), limit, mergedCalls::incrementAndGet);
    }

    static MemStore image(int sectors, long seed) {
        MemStore m = new MemStore(sectors);
        new Random(seed).nextBytes(m.data);
        return m;
    }

    static ByteBuffer filled(int sectors, int value) {
        byte[] b = new byte[sectors * S];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    static byte[] read(FreezeStore f, long lba, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n * S);
        f.read(lba, b);
        assertFalse(b.hasRemaining());
        return b.array();
    }

    static void awaitNormal(FreezeStore f) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (f.state() != Freezer.State.NORMAL && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertEquals(Freezer.State.NORMAL, f.state(), "merge did not end");
    }

    @Test
    void frozenWritesGoToTheShadowAndReadsMergePerSector() throws Exception {
        MemStore image = image(1000, 1);
        byte[] before = image.data.clone();
        FreezeStore f = open(image, 0);
        f.freeze();
        int flushesAtFreeze = image.flushes.get();
        assertTrue(flushesAtFreeze >= 1, "acknowledged data forced first");
        f.write(10, filled(3, 0xAA));              // sectors 10..12
        f.write(127, filled(2, 0xBB));             // across a stripe boundary
        f.write(999, filled(1, 0xCC));             // the last sector
        assertArrayEquals(before, image.data, "the image is unchanged while frozen");

        byte[] got = read(f, 8, 7);                // 8,9 image; 10..12 shadow; 13,14 image
        byte[] want = Arrays.copyOfRange(before, 8 * S, 15 * S);
        Arrays.fill(want, 2 * S, 5 * S, (byte) 0xAA);
        assertArrayEquals(want, got);
        assertEquals(6, f.status().shadowSectors());
        assertEquals((byte) 0xCC, read(f, 999, 1)[0]);
        assertThrows(IOException.class, () -> f.write(999, filled(2, 1)), "past the end");
    }

    @Test
    void shadowFormatRoundTripsAfterACrashLikeReopen() throws Exception {
        MemStore image = image(5000, 2);
        byte[] before = image.data.clone();
        FreezeStore f = open(image, 0);
        f.freeze();
        Random r = new Random(3);
        byte[] expected = before.clone();
        for (int i = 0; i < 300; i++) {
            int lba = r.nextInt(4990);
            int n = 1 + r.nextInt(8);
            byte[] d = new byte[n * S];
            r.nextBytes(d);
            f.write(lba, ByteBuffer.wrap(d));
            System.arraycopy(d, 0, expected, lba * S, d.length);
        }
        // no close: as after kill -9, the next instance finds only what is in the file
        FreezeStore g = open(image, 0);
        assertEquals(Freezer.State.FROZEN, g.state());
        assertEquals(f.status().shadowSectors(), g.status().shadowSectors());
        assertArrayEquals(expected, read(g, 0, 5000));
        assertArrayEquals(before, image.data);

        // the documented layout: header fields and the bitmap bit of a written sector
        try (FileChannel ch = FileChannel.open(dir.resolve("t.shadow"), StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            assertEquals("AoEdeFRZ", new String(h.array(), 0, 8, "US-ASCII"));
            assertEquals(1, h.getInt(8));
            assertEquals(1, h.getInt(12));
            assertEquals(5000, h.getLong(16));
            assertEquals(4096, h.getLong(24));
            assertEquals(4096 + 4096, h.getLong(32));
        }
    }

    @Test
    void aFullShadowFailsWritesOfNewSectorsOnly() throws Exception {
        MemStore image = image(1000, 4);
        FreezeStore f = open(image, 8);
        f.freeze();
        f.write(0, filled(8, 1));
        IOException e = assertThrows(IOException.class, () -> f.write(100, filled(1, 2)));
        assertTrue(e.getMessage().contains("shadow full"), e.getMessage());
        f.write(4, filled(4, 3));                  // rewriting sectors already in the shadow still fits
        assertEquals(3, read(f, 7, 1)[0]);
        assertEquals(8, f.status().shadowSectors());
        assertEquals(image.data[100 * S], read(f, 100, 1)[0], "the refused write left nothing behind");
    }

    @Test
    void mergeNeverOverwritesWritesMadeAfterTheUnfreeze() throws Exception {
        int n = 20_000;
        MemStore image = image(n, 5);
        FreezeStore f = open(image, 0);
        f.freeze();
        byte[] expected = image.data.clone();
        for (int lba = 0; lba < n; lba += 4) {    // the shadow holds "old" data for every 4 KiB
            ByteBuffer b = filled(4, 0x11);
            f.write(lba, b);
            Arrays.fill(expected, lba * S, (lba + 4) * S, (byte) 0x11);
        }
        f.unfreeze();
        // racing the merge: the same LBAs written again, from two threads on disjoint halves
        Thread[] writers = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int half = t;
            writers[t] = new Thread(() -> {
                Random r = new Random(half);
                try {
                    for (int i = 0; i < 4000; i++) {
                        int lba = half * n / 2 + r.nextInt(n / 2 - 8);
                        int len = 1 + r.nextInt(8);
                        byte[] d = new byte[len * S];
                        r.nextBytes(d);
                        f.write(lba, ByteBuffer.wrap(d));
                        synchronized (expected) {
                            System.arraycopy(d, 0, expected, lba * S, d.length);
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writers[t].start();
        }
        for (Thread w : writers) {
            w.join();
        }
        awaitNormal(f);
        assertArrayEquals(expected, image.data, "merged image = newest data of every sector");
        assertFalse(Files.exists(dir.resolve("t.shadow")), "shadow removed at the end");
        assertEquals(1, mergedCalls.get());
    }

    /** True if every bit of [lba, lba + n) is set in the shadow file on disk (not in memory). */
    boolean bitsOnDisk(int sectors, long lba, int n) {
        try (Shadow s = Shadow.open(dir.resolve("t.shadow"), sectors, false)) {
            long[] w = s.readBitmap();
            for (long i = lba; i < lba + n; i++) {
                if ((w[(int) (i >>> 6)] & (1L << (i & 63))) == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The image and the shadow are two files: a bit cleared in the shadow may reach the disk before
     * the image data that replaced it. So the image is forced while the bits are still set — by the
     * merge, and by a write during the merge to a sector not merged yet. (Before, a power failure
     * after the merge could bring back pre-freeze data over a flushed write.)
     */
    @Test
    void theImageIsForcedBeforeBitsAreCleared() throws Exception {
        int n = 1000;
        MemStore image = image(n, 6);
        FreezeStore f = open(image, 0);
        f.freeze();
        f.write(10, filled(4, 0x21));
        f.write(900, filled(2, 0x22));
        f.flush();
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        image.onFlush = () -> seen.add((bitsOnDisk(n, 10, 4) ? "10 marked" : "10 clear")
                + (bitsOnDisk(n, 900, 2) ? ", 900 marked" : ", 900 clear"));
        f.mergeRate = 1;                          // after the first stripe, the merge waits (bytes per second)
        f.unfreeze();
        long end = System.currentTimeMillis() + 10_000;
        while (seen.isEmpty() && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertEquals(List.of("10 marked, 900 marked"), seen, "the merge forced its copy of stripe 0 before clearing");
        f.write(900, filled(2, 0x23));            // not merged yet: image written, forced, then the bits cleared
        assertEquals(List.of("10 marked, 900 marked", "10 clear, 900 marked"), seen);
        assertFalse(bitsOnDisk(n, 900, 2));
        f.write(901, filled(1, 0x24));            // merged already (cleared): no force
        assertEquals(2, seen.size());
        f.close();
    }

    @Test
    void aMergeInterruptedByACrashResumesOnReopen() throws Exception {
        int n = 50_000;
        MemStore image = image(n, 6);
        FreezeStore f = open(image, 0);
        f.freeze();
        byte[] expected = image.data.clone();
        Random r = new Random(7);
        for (int i = 0; i < 3000; i++) {
            int lba = r.nextInt(n - 8);
            byte[] d = new byte[8 * S];
            r.nextBytes(d);
            f.write(lba, ByteBuffer.wrap(d));
            System.arraycopy(d, 0, expected, lba * S, d.length);
        }
        f.unfreeze();
        byte[] d = new byte[S];
        r.nextBytes(d);
        f.write(n / 2, ByteBuffer.wrap(d));        // written after the unfreeze: must survive the resumed merge
        System.arraycopy(d, 0, expected, n / 2 * S, S);
        f.close();                                  // the merge stops between stripes, the shadow stays
        assertTrue(Files.exists(dir.resolve("t.shadow")));
        FreezeStore g = open(image, 0);
        assertTrue(g.state() != Freezer.State.FROZEN, "MERGING resumes merging");
        assertArrayEquals(expected, read(g, 0, n), "reads correct while merging");
        awaitNormal(g);
        assertArrayEquals(expected, image.data);
        assertFalse(Files.exists(dir.resolve("t.shadow")));
    }

    @Test
    void aForeignOrTornShadowIsRefused() throws Exception {
        MemStore image = image(100, 8);
        Path p = dir.resolve("t.shadow");
        Files.write(p, new byte[8192]);
        assertThrows(IOException.class, () -> open(image, 0));
        Files.delete(p);
        FreezeStore f = open(image, 0);
        f.freeze();
        f.close();
        assertThrows(IOException.class, () -> new FreezeStore("t", image(200, 1), p, 0, () -> { }),
                "a shadow of another image size");
    }

    @Test
    void sizes() {
        assertEquals(512L << 20, FreezeExtension.parseSize("k", "512M"));
        assertEquals(4096, FreezeExtension.parseSize("k", "4096"));
        assertEquals(2L << 30, FreezeExtension.parseSize("k", "2g"));
        assertThrows(IllegalArgumentException.class, () -> FreezeExtension.parseSize("k", "12X"));
        assertThrows(IllegalArgumentException.class, () -> FreezeExtension.parseSize("k", "100"));
        assertEquals(1L << 40, FreezeExtension.parseSize("k", "1T"));
        assertThrows(IllegalArgumentException.class, () -> FreezeExtension.parseSize("k", "0"));
    }
}
