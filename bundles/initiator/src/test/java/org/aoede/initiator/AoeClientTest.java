package org.aoede.initiator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Negotiate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AoeClientTest {
    private final FakeTarget fake = new FakeTarget();
    private AoeClient client;

    /** Long timeouts where no retransmit is expected, so a busy machine cannot make the test flaky. */
    private AoeClient open(int window) {
        return open(window, 2000);
    }

    private AoeClient open(int window, long timeoutMs) {
        AoeClient.Options o = new AoeClient.Options();
        o.timeoutMs = timeoutMs;
        o.maxTimeoutMs = 2 * timeoutMs;
        o.tries = 4;
        o.window = window;
        client = fake.open(o);
        return client;
    }

    @AfterEach
    void close() {
        client.close();
        fake.close();
    }

    @Test
    void findsTargetAndUsesUserlandTags() throws Exception {
        Target t = open(4).find(1, 0);
        assertEquals(FakeTarget.TARGET_MAC, t.mac());
        assertEquals(2, t.sectors());
        assertEquals("abc", t.configString());
        assertEquals(Aoe.TAG_USERLAND, Aoe.tag(fake.sent.get(0)) & Aoe.TAG_USERLAND);
        assertEquals(60, fake.sent.get(0).limit(), "requests are padded to the Ethernet minimum");
    }

    @Test
    void retransmitsWithNewTagAndIgnoresStaleReply() throws Exception {
        open(4, 100);
        Target t = client.find(1, 0);
        List<ByteBuffer> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger n = new AtomicInteger();
        fake.responder = q -> {
            if (n.getAndIncrement() == 0) {
                held.add(q);  // first try "lost"; its reply is sent late, after the retransmit
                return null;
            }
            return fake.serve(q);
        };
        fake.disk[4 * 512] = 7;
        CompletableFuture<byte[]> f = client.readAsync(t, 4, 1);
        byte[] data = AoeClient.await(f);
        assertEquals(7, data[0]);
        int before = fake.sent.size();
        ByteBuffer first = fake.sent.get(before - 2), second = fake.sent.get(before - 1);
        assertNotEquals(Aoe.tag(first), Aoe.tag(second), "a retransmission needs a new tag");
        assertTrue((Aoe.tag(second) & Aoe.TAG_USERLAND) != 0);
        assertEquals(1, client.retransmits());

        fake.deliver(fake.serve(held.get(0)));  // the late answer to the first try
        Thread.sleep(50);
        assertEquals(1, client.staleReplies());
    }

    @Test
    void givesUpAfterTries() {
        open(4, 10);
        fake.responder = q -> null;
        NoReplyException e = assertThrows(NoReplyException.class, () -> client.find(1, 0));
        assertTrue(e.getMessage().contains("4 tries"), e.getMessage());
        assertEquals(4, fake.sent.size());
        Set<Integer> tags = new HashSet<>();
        fake.sent.forEach(b -> tags.add(Aoe.tag(b)));
        assertEquals(4, tags.size(), "every try has its own tag");
    }

    @Test
    void aoeErrorIsReportedNotRetried() throws Exception {
        open(4);
        fake.responder = q -> {
            ByteBuffer r = FakeTarget.replyTo(q, Aoe.HEADER + 8);
            Aoe.toError(r, Aoe.ERR_CONFIG_PRESENT);
            return r;
        };
        AoeErrorException e = assertThrows(AoeErrorException.class, () -> client.find(1, 0));
        assertEquals(4, e.code());
        Thread.sleep(60);
        assertEquals(1, fake.sent.size());
    }

    @Test
    void ataErrorSurfacesRegistersNotRetried() throws Exception {
        Target t = open(4).find(1, 0);
        AtaErrorException e = assertThrows(AtaErrorException.class, () -> client.read(t, 63, 2));
        assertEquals(Ata.STATUS_DRDY | Ata.STATUS_ERR, e.status());
        assertEquals(Ata.ERROR_IDNF, e.error());
        Thread.sleep(60);
        assertEquals(2, fake.sent.size(), "config + one read, no retransmit");
        AtaReply r = client.ata(t, 0, 0, 0, 0xB0, 0, null);
        assertEquals(Ata.ERROR_ABRT, r.error());
    }

    @Test
    void pipelinedWriteAndReadSplitIntoFramesWithinWindow() throws Exception {
        Target t = open(3).find(1, 0);
        byte[] data = Pattern.of(9, 0, 41);
        client.write(t, 0, data, 41);
        assertArrayEquals(data, java.util.Arrays.copyOf(fake.disk, 41 * 512));
        assertArrayEquals(data, client.read(t, 0, 41));
        // 41 sectors at 2 a frame: 21 writes and 21 reads after the config query.
        assertEquals(1 + 21 + 21, fake.sent.size());
        assertTrue(fake.maxInFlight.get() <= 3, "window respected: " + fake.maxInFlight.get());
        assertEquals(0, client.retransmits());
    }

    @Test
    void discoverCollectsEveryReply() throws Exception {
        open(4);
        fake.responder = q -> {
            for (int slot = 0; slot < 3; slot++) {
                ByteBuffer r = fake.serve(q);
                Aoe.setSlot(r, slot);
                fake.deliver(r);
            }
            return null;
        };
        List<Target> found = client.discover(0xffff, 0xff, 100);
        assertEquals(3, found.size());
        assertEquals(1, fake.sent.size(), "discovery is one broadcast, no retransmit");
    }
    @Test
    void monotonicTagsDuplicatedAndReordered() throws Exception {
        Target t = open(4).find(1, 0);
        fake.responder = q -> {
            if (Aoe.command(q) != Negotiate.COMMAND) {
                return fake.serve(q);
            }
            ByteBuffer r = ByteBuffer.allocate(q.limit());   // accepts every name: upper-cased
            r.put(0, q, 0, q.limit());
            Aoe.toResponse(r, FakeTarget.TARGET_MAC);
            for (int i = Negotiate.O_NAMES; i < r.limit(); i++) {
                r.put(i, (byte) Character.toUpperCase(r.get(i)));
            }
            return r;
        };
        assertTrue(client.negotiateTags(t, true));
        client.duplicateAndReorder(true);
        int before = fake.sent.size();
        List<CompletableFuture<Void>> writes = new java.util.ArrayList<>();
        for (int i = 0; i < 14; i++) {
            writes.add(client.writeAsync(t, i, new byte[512], 0, 1));
        }
        for (CompletableFuture<Void> w : writes) {
            AoeClient.await(w);
        }
        List<Integer> counters = new java.util.ArrayList<>();
        for (ByteBuffer f : fake.sent.subList(before, fake.sent.size())) {
            counters.add(Integer.reverseBytes(Aoe.tag(f)));   // little-endian counter in the tag field
        }
        // 14 requests; 3, 6, 9, 12 twice at once; 5 and 10 after the next one; 7 again after 14
        assertEquals(19, counters.size(), counters.toString());
        assertEquals(5, client.duplicated());
        assertEquals(2, client.reordered());
        int c0 = counters.get(0);
        List<Integer> want = new java.util.ArrayList<>();
        int[] order = {1, 2, 3, 3, 4, 6, 6, 5, 7, 8, 9, 9, 11, 10, 12, 12, 13, 14, 7};
        for (int k : order) {
            want.add(c0 + k - 1);
        }
        assertEquals(want, counters, "consecutive tags, duplicated and reordered as documented");
        assertEquals(0, client.retransmits());
    }

    @Test
    void delayedDuplicatesGoOutLateUnderTheirTags() throws Exception {
        Target t = open(4).find(1, 0);
        client.delayDuplicates(150, 100);            // every request once more, 0-150 ms later
        int before = fake.sent.size();
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            AoeClient.await(client.writeAsync(t, i, new byte[512], 0, 1));
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (client.delayedDuplicates() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(20, client.delayedDuplicates());
        List<ByteBuffer> sent = fake.sent.subList(before, fake.sent.size());
        assertEquals(40, sent.size());
        java.util.Map<Integer, Integer> perTag = new java.util.HashMap<>();
        for (ByteBuffer f : sent) {
            perTag.merge(Aoe.tag(f), 1, Integer::sum);
        }
        assertEquals(20, perTag.size(), "each copy under its original's tag");
        assertTrue(perTag.values().stream().allMatch(n -> n == 2));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        assertThrows(IllegalArgumentException.class, () -> client.delayDuplicates(10, 101));
    }
}
