package org.aoede.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.aoede.api.BlockStore;
import org.aoede.api.StoreSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileStore over regular files: windows, bounds, locking, read-only, sync, page-cache visibility. */
class FileStoreTest {
    static final int S = BlockStore.SECTOR;
    static final byte CANARY = (byte) 0xCC;

    @TempDir
    Path dir;

    Path image(int sectors) throws IOException {
        Path f = dir.resolve("disk-" + System.nanoTime() + ".img");
        byte[] b = new byte[sectors * S];
        Arrays.fill(b, CANARY);
        Files.write(f, b);
        return f;
    }

    static StoreSpec spec(Path f, long offset, long length) {
        return new StoreSpec(f, false, false, false, offset, length);
    }

    static ByteBuffer filled(int sectors, byte v) {
        byte[] b = new byte[sectors * S];
        Arrays.fill(b, v);
        return ByteBuffer.wrap(b);
    }

    static byte[] freshRead(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read all
            }
            return b.array();
        }
    }

    @Test
    void windowOffsetAndLength() throws Exception {
        Path f = image(100);
        try (FileStore s = FileStore.open(spec(f, 10, 20))) {
            assertEquals(20, s.sectors());
            assertFalse(s.readOnly());
            assertTrue(s.describe().contains("10+20"), s.describe());
        }
        try (FileStore s = FileStore.open(spec(f, 10, 0))) {
            assertEquals(90, s.sectors(), "length 0 = to the end of the file");
        }
        try (FileStore s = FileStore.open(spec(f, 0, 0))) {
            assertEquals(100, s.sectors());
        }
    }

    @Test
    void trailingPartialSectorIsNotExported() throws Exception {
        Path f = dir.resolve("odd.img");
        Files.write(f, new byte[10 * S + 100]);
        try (FileStore s = FileStore.open(spec(f, 0, 0))) {
            assertEquals(10, s.sectors());
        }
    }

    @Test
    void accessInsideTheWindowNeverTouchesBytesOutsideIt() throws Exception {
        Path f = image(100);
        try (FileStore s = FileStore.open(spec(f, 10, 20))) {
            s.write(0, filled(1, (byte) 1));
            s.write(19, filled(1, (byte) 2));
            s.write(5, filled(3, (byte) 3));
            ByteBuffer r = ByteBuffer.allocate(20 * S);
            s.read(0, r);
            assertEquals(1, r.get(0));
            assertEquals(3, r.get(5 * S));
            assertEquals(CANARY, r.get(8 * S));
            assertEquals(2, r.get(20 * S - 1));
        }
        byte[] all = freshRead(f);
        assertEquals(100 * S, all.length, "file size unchanged");
        for (int i = 0; i < 10 * S; i++) {
            assertEquals(CANARY, all[i], "before the window at " + i);
        }
        for (int i = 30 * S; i < all.length; i++) {
            assertEquals(CANARY, all[i], "after the window at " + i);
        }
        assertEquals(1, all[10 * S]);
        assertEquals(2, all[30 * S - 1]);
    }

    @Test
    void readsSeeTheFileAtTheWindowOffset() throws Exception {
        Path f = image(40);
        byte[] content = freshRead(f);
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i / S);
        }
        Files.write(f, content);
        try (FileStore s = FileStore.open(spec(f, 7, 10))) {
            ByteBuffer r = ByteBuffer.allocate(2 * S);
            s.read(3, r);
            assertEquals(10, r.get(0));
            assertEquals(11, r.get(S));
        }
    }

    @Test
    void accessPastTheEndIsRefused() throws Exception {
        Path f = image(100);
        try (FileStore s = FileStore.open(spec(f, 10, 20))) {
            assertThrows(IOException.class, () -> s.read(20, ByteBuffer.allocate(S)));
            assertThrows(IOException.class, () -> s.read(19, ByteBuffer.allocate(2 * S)));
            assertThrows(IOException.class, () -> s.write(20, filled(1, (byte) 9)));
            assertThrows(IOException.class, () -> s.write(19, filled(2, (byte) 9)));
            assertThrows(IOException.class, () -> s.write(-1, filled(1, (byte) 9)));
            assertThrows(IOException.class, () -> s.read(Long.MAX_VALUE / S, ByteBuffer.allocate(S)));
            assertThrows(IOException.class, () -> s.write(0, ByteBuffer.allocate(100)), "partial sector");
            s.read(19, ByteBuffer.allocate(S));
        }
        byte[] all = freshRead(f);
        for (int i = 30 * S; i < all.length; i++) {
            assertEquals(CANARY, all[i]);
        }
    }

    @Test
    void badWindowsAreRefusedAtOpen() throws Exception {
        Path f = image(100);
        assertThrows(IOException.class, () -> FileStore.open(spec(f, 90, 11)), "window past the end");
        assertThrows(IOException.class, () -> FileStore.open(spec(f, 101, 0)), "offset past the end");
        assertThrows(IOException.class, () -> FileStore.open(spec(f, 100, 0)), "empty window");
        assertThrows(IOException.class, () -> FileStore.open(spec(f, -1, 1)));
        assertThrows(StoreSpec.Invalid.class, () -> FileStore.open(spec(dir.resolve("missing.img"), 0, 0)));
        assertThrows(IOException.class, () -> FileStore.open(spec(dir, 0, 0)), "directory");
        Path empty = dir.resolve("empty.img");
        Files.createFile(empty);
        assertThrows(IOException.class, () -> FileStore.open(spec(empty, 0, 0)));
    }

    /** check() and open() refuse a spec alike, naming the key; returns the refusal. */
    static StoreSpec.Invalid refusedAlike(String key, String reason, StoreSpec spec) {
        StoreSpec.Invalid checked = assertThrows(StoreSpec.Invalid.class, () -> FileStore.check(spec, null));
        StoreSpec.Invalid opened = assertThrows(StoreSpec.Invalid.class, () -> FileStore.open(spec));
        assertEquals(key, checked.key, checked.getMessage());
        assertTrue(checked.getMessage().startsWith("key '" + key + "': "), checked.getMessage());
        assertTrue(checked.getMessage().contains(reason), checked.getMessage());
        assertEquals(checked.getMessage(), opened.getMessage());
        return checked;
    }

    @Test
    void checkRefusesWhatOpenRefusesNamingTheKey() throws Exception {
        Path f = image(100);
        String real = f.toRealPath().toString();
        refusedAlike("length", "window 90+11 sectors is past the end of " + real + " (100 sectors)", spec(f, 90, 11));
        refusedAlike("offset", "offset 101 is past the end", spec(f, 101, 0));
        refusedAlike("offset", "no whole sector", spec(f, 100, 0));
        refusedAlike("file", dir.resolve("missing.img") + " does not exist", spec(dir.resolve("missing.img"), 0, 0));
        refusedAlike("file", " is a directory", spec(dir, 0, 0));
        Path empty = dir.resolve("empty.img");
        Files.createFile(empty);
        refusedAlike("file", "no whole sector", spec(empty, 0, 0));
        refusedAlike("file", "neither a regular file nor a block device", spec(Path.of("/dev/null"), 0, 0));
        FileStore.check(spec(f, 90, 10), null);
        FileStore.open(spec(f, 90, 10)).close();
    }

    @Test
    void checkSeesOtherExportsWindowsButNotTheOneAnEditReplaces() throws Exception {
        Path f = image(100);
        StoreSpec a = spec(f, 10, 20);
        try (FileStore open = FileStore.open(a)) {
            assertTrue(refusedAlike("file", "overlaps a window already in use", spec(f, 29, 5)).getMessage()
                    .contains("29+5"));
            FileStore.check(spec(f, 30, 10), null);                    // disjoint: fine
            FileStore.check(spec(f, 15, 20), a);                       // a moves its own window
            assertThrows(StoreSpec.Invalid.class, () -> FileStore.check(spec(f, 15, 20), spec(f, 50, 1)),
                    "replacing another store does not make room in this one");
            assertThrows(StoreSpec.Invalid.class, () -> FileStore.open(spec(f, 15, 1)), "check left a's lock alone");
        }
        FileStore.check(spec(f, 29, 5), null);                         // closed: free again
    }

    @Test
    void overlappingWindowIsRefusedUntilTheFirstIsClosed() throws Exception {
        Path f = image(100);
        FileStore a = FileStore.open(spec(f, 10, 20));
        IOException e = assertThrows(IOException.class, () -> FileStore.open(spec(f, 29, 5)));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        assertThrows(IOException.class, () -> FileStore.open(spec(f, 0, 11)));
        assertThrows(IOException.class, () -> FileStore.open(spec(f, 0, 0)));
        assertThrows(IOException.class, () -> FileStore.open(new StoreSpec(f, true, false, false, 15, 1)),
                "read-only overlap too");
        // the same file through another path (a symlink) is the same file
        Path link = dir.resolve("link.img");
        Files.createSymbolicLink(link, f);
        assertThrows(IOException.class, () -> FileStore.open(spec(link, 10, 1)));
        a.close();
        FileStore.open(spec(f, 0, 0)).close();
    }

    @Test
    void disjointWindowsAreAllowed() throws Exception {
        Path f = image(100);
        try (FileStore a = FileStore.open(spec(f, 0, 10));
             FileStore b = FileStore.open(spec(f, 10, 10));
             FileStore c = FileStore.open(spec(f, 20, 0))) {
            a.write(9, filled(1, (byte) 1));
            b.write(0, filled(1, (byte) 2));
            c.write(0, filled(1, (byte) 3));
            byte[] all = freshRead(f);
            assertEquals(1, all[10 * S - 1]);
            assertEquals(2, all[10 * S]);
            assertEquals(3, all[20 * S]);
            assertEquals(CANARY, all[11 * S]);
        }
    }

    @Test
    void readOnlyRefusesWrites() throws Exception {
        Path f = image(10);
        try (FileStore s = FileStore.open(new StoreSpec(f, true, false, false, 0, 0))) {
            assertTrue(s.readOnly());
            assertThrows(IOException.class, () -> s.write(0, filled(1, (byte) 1)));
            ByteBuffer r = ByteBuffer.allocate(S);
            s.read(0, r);
            assertEquals(CANARY, r.get(0));
            s.flush();
        }
        assertEquals(CANARY, freshRead(f)[0]);
    }

    @Test
    void readOnlyOpensAFileWithoutWritePermission() throws Exception {
        Path f = image(10);
        assertTrue(f.toFile().setWritable(false));
        try (FileStore s = FileStore.open(new StoreSpec(f, true, false, false, 0, 0))) {
            assertEquals(10, s.sectors());
        } finally {
            f.toFile().setWritable(true);
        }
    }

    @Test
    void syncModeWritesAndFlushes() throws Exception {
        Path f = image(10);
        try (FileStore s = FileStore.open(new StoreSpec(f, false, false, true, 2, 4))) {
            assertTrue(s.describe().contains("sync"), s.describe());
            s.write(1, filled(2, (byte) 7));
            s.flush();
            byte[] all = freshRead(f);
            assertEquals(7, all[3 * S]);
            assertEquals(7, all[5 * S - 1]);
            assertEquals(CANARY, all[5 * S]);
        }
    }

    @Test
    void writeIsVisibleToAFreshChannelAsSoonAsItReturns() throws Exception {
        Path f = image(64);
        try (FileStore s = FileStore.open(spec(f, 0, 0))) {
            for (int i = 0; i < 64; i++) {
                s.write(i, filled(1, (byte) i));
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    ByteBuffer b = ByteBuffer.allocate(S);
                    ch.read(b, (long) i * S);
                    assertArrayEquals(filled(1, (byte) i).array(), b.array(), "sector " + i);
                }
            }
        }
    }

    @Test
    void factoryOpensStores() throws Exception {
        Path f = image(8);
        try (BlockStore s = new FileStoreFactory().open(spec(f, 0, 0))) {
            assertEquals(8, s.sectors());
        }
    }

    @Test
    void closeReleasesTheWindow() throws Exception {
        Path f = image(8);
        FileStore s = FileStore.open(spec(f, 0, 0));
        s.close();
        try (FileStore again = FileStore.open(spec(f, 0, 0))) {
            assertEquals(8, again.sectors());
        }
    }
}
