package org.aoede.store.file;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three concurrent gathering writes of 128 blocks whose stripe ranges form a ring across the
 * wrap of the 256 stripes (blocks 200.., 50.., 406..): taken in block order, their stripe locks
 * would deadlock; taken in stripe order they all finish.
 */
class StripeLockOrderTest {
    @TempDir
    Path dir;

    @Test
    void spansAcrossTheStripeWrapDoNotDeadlock() throws Exception {
        int align = 4096;
        int len = 128 * align;
        try (FileChannel ch = FileChannel.open(dir.resolve("img"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), 1024L * align);
            DirectIo d = new DirectIo(ch, align);
            long[] startBlocks = {200, 50, 406};
            CountDownLatch done = new CountDownLatch(startBlocks.length);
            for (long b : startBlocks) {
                assertTrue(d.fits(b * align, len));
                Thread t = new Thread(() -> {
                    ByteBuffer buf = ByteBuffer.allocateDirect(len);
                    try {
                        for (int i = 0; i < 200; i++) {
                            buf.clear();
                            d.write(b * align, new ByteBuffer[] {buf});
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        done.countDown();
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "writers stuck on stripe locks (deadlock)");
        }
    }
}
