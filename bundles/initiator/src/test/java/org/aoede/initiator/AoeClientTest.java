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
        TargetInfo t = open(4).find(1, 0);
        assertEquals(FakeTarget.TARGET_MAC, t.mac());
        assertEquals(2, t.sectors());
        assertEquals("abc", t.configString());
        assertEquals(Aoe.TAG_USERLAND, Aoe.tag(fake.sent.get(0)) & Aoe.TAG_USERLAND);
        assertEquals(60, fake.sent.get(0).limit(), "requests are padded to the Ethernet minimum");
    }

    @Test
    void retransmitsWithNewTagAndIgnoresStaleReply() throws Exception {
        open(4, 100);
        TargetInfo t = client.find(1, 0);
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
        TargetInfo t = open(4).find(1, 0);
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
        TargetInfo t = open(3).find(1, 0);
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
        List<TargetInfo> found = client.discover(0xffff, 0xff, 100);
        assertEquals(3, found.size());
        assertEquals(1, fake.sent.size(), "discovery is one broadcast, no retransmit");
    }
}
