package org.aoede.store.rbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.aoede.api.IoRequest;
import org.aoede.api.StoreSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Against a running cluster (scripts/ceph-test-cluster.sh): only with -Daoede.rbd.test.conf=CONF.
 * The network itests (RbdStoreIT) start a cluster of their own and cover the appliance end to end.
 */
@EnabledIfSystemProperty(named = "aoede.rbd.test.conf", matches = ".+")
class RbdStoreClusterTest {
    static final String CONF = System.getProperty("aoede.rbd.test.conf");

    static void rbd(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "rbd";
        cmd[1] = "-c";
        cmd[2] = CONF;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }

    static StoreSpec spec(String image, long offset, long length) {
        return new StoreSpec(Path.of("rbd:rbd/" + image + ":conf=" + CONF), false, false, false, offset, length);
    }

    record Req(int kind, long lba, int count, ByteBuffer data, CompletableFuture<IOException> done) implements IoRequest {
        @Override
        public void completed(IOException error) {
            done.complete(error);
        }
    }

    static IOException run(RbdStore s, int kind, long lba, int count, ByteBuffer data) throws Exception {
        Req r = new Req(kind, lba, count, data, new CompletableFuture<>());
        s.submit(r);
        return r.done.get(30, TimeUnit.SECONDS);
    }

    @Test
    void readsWritesSubmitsAndSeesAResize() throws Exception {
        String image = "unit" + ProcessHandle.current().pid();
        rbd("create", "--size", "4M", "rbd/" + image);
        try (RbdStore s = RbdStore.open(spec(image, 8, 0))) {
            assertEquals(8192 - 8, s.sectors());
            ByteBuffer w = ByteBuffer.allocate(1024);
            for (int i = 0; i < 1024; i++) {
                w.put(i, (byte) i);
            }
            s.write(3, w.duplicate());
            ByteBuffer r = ByteBuffer.allocate(1024);
            s.read(3, r);
            assertArrayEquals(w.array(), r.array());
            s.flush();

            ByteBuffer w2 = ByteBuffer.allocate(1536);
            w2.put(0, (byte) 7).put(1535, (byte) 9);
            assertNull(run(s, IoRequest.WRITE, 100, 3, w2));
            assertNull(run(s, IoRequest.FLUSH, 0, 0, ByteBuffer.allocate(0)));
            ByteBuffer r2 = ByteBuffer.allocate(1536);
            assertNull(run(s, IoRequest.READ, 100, 3, r2));
            assertArrayEquals(w2.array(), r2.array());
            IOException past = run(s, IoRequest.READ, s.sectors(), 1, ByteBuffer.allocate(512));
            assertTrue(past.getMessage().contains("past the end"), past.getMessage());

            CountDownLatch resized = new CountDownLatch(1);
            s.onResize(resized::countDown);
            rbd("resize", "--size", "8M", "rbd/" + image);
            assertTrue(resized.await(20, TimeUnit.SECONDS));
            assertEquals(16384 - 8, s.sectors());

            StoreSpec.Invalid inUse = assertThrows(StoreSpec.Invalid.class, () -> RbdStore.open(spec(image, 0, 16)));
            assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
        } finally {
            rbd("rm", "--no-progress", "rbd/" + image);
        }
    }

    @Test
    void refusals() throws Exception {
        StoreSpec.Invalid e = assertThrows(StoreSpec.Invalid.class, () -> RbdStore.open(spec("missing", 0, 0)));
        assertTrue(e.getMessage().contains("no image 'missing' in pool 'rbd'"), e.getMessage());
        e = assertThrows(StoreSpec.Invalid.class, () -> RbdStore.open(new StoreSpec(
                Path.of("rbd:nopool/x:conf=" + CONF), false, false, false, 0, 0)));
        assertTrue(e.getMessage().contains("pool 'nopool'"), e.getMessage());
        e = assertThrows(StoreSpec.Invalid.class, () -> RbdStore.open(new StoreSpec(
                Path.of("rbd:rbd/x:id=nobody:conf=" + CONF), false, false, false, 0, 0)));
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }
}
