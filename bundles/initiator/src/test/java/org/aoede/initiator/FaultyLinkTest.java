package org.aoede.initiator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Crc8x4;
import org.aoede.protocol.Negotiate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultyLinkTest {
    private final FakeTarget fake = new FakeTarget();
    private final FaultyLink faults = new FaultyLink();
    private AoeClient client;

    private TargetInfo open(long timeoutMs) throws Exception {
        AoeClient.Options o = new AoeClient.Options();
        o.timeoutMs = timeoutMs;
        o.maxTimeoutMs = 2 * timeoutMs;
        o.tries = 4;
        o.window = 4;
        client = fake.openThrough(faults, o);
        return client.find(1, 0);
    }

    @AfterEach
    void close() {
        client.close();
        fake.close();
    }

    /** Accepts every negotiated name (upper-cased in the reply), serves the rest. */
    private ByteBuffer acceptingEverything(ByteBuffer q) {
        if (Aoe.command(q) != Negotiate.COMMAND) {
            return fake.serve(q);
        }
        ByteBuffer r = ByteBuffer.allocate(q.limit());
        r.put(0, q, 0, q.limit());
        Aoe.toResponse(r, FakeTarget.TARGET_MAC);
        for (int i = Negotiate.O_NAMES; i < r.limit(); i++) {
            r.put(i, (byte) Character.toUpperCase(r.get(i)));
        }
        return r;
    }

    @Test
    void duplicatedAndReorderedUnderConsecutiveTags() throws Exception {
        TargetInfo t = open(2000);
        fake.responder = this::acceptingEverything;
        assertTrue(client.negotiateTags(t, true));
        faults.duplicateAndReorder(true);
        int before = fake.sent.size();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            writes.add(client.writeAsync(t, i, new byte[512], 0, 1));
        }
        for (CompletableFuture<Void> w : writes) {
            AoeClient.await(w);
        }
        List<Integer> counters = new ArrayList<>();
        for (ByteBuffer f : fake.sent.subList(before, fake.sent.size())) {
            counters.add(Integer.reverseBytes(Aoe.tag(f)));   // little-endian counter in the tag field
        }
        // 14 requests; 3, 6, 9, 12 twice at once; 5 and 10 after the next one; 7 again after 14
        assertEquals(19, counters.size(), counters.toString());
        assertEquals(5, faults.duplicated());
        assertEquals(2, faults.reordered());
        int c0 = counters.get(0);
        List<Integer> want = new ArrayList<>();
        int[] order = {1, 2, 3, 3, 4, 6, 6, 5, 7, 8, 9, 9, 11, 10, 12, 12, 13, 14, 7};
        for (int k : order) {
            want.add(c0 + k - 1);
        }
        assertEquals(want, counters, "consecutive tags, duplicated and reordered as documented");
        assertEquals(0, client.retransmits());
    }

    @Test
    void delayedDuplicatesGoOutLateUnderTheirTags() throws Exception {
        TargetInfo t = open(2000);
        faults.delayDuplicates(150, 100);            // every request once more, 0-150 ms later
        int before = fake.sent.size();
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            AoeClient.await(client.writeAsync(t, i, new byte[512], 0, 1));
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (faults.delayedDuplicates() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(20, faults.delayedDuplicates());
        List<ByteBuffer> sent = fake.sent.subList(before, fake.sent.size());
        assertEquals(40, sent.size());
        Map<Integer, Integer> perTag = new HashMap<>();
        for (ByteBuffer f : sent) {
            perTag.merge(Aoe.tag(f), 1, Integer::sum);
        }
        assertEquals(20, perTag.size(), "each copy under its original's tag");
        assertTrue(perTag.values().stream().allMatch(n -> n == 2));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        assertThrows(IllegalArgumentException.class, () -> faults.delayDuplicates(10, 101));
    }

    private static boolean crcRight(ByteBuffer write) {
        return Crc8x4.verify(write, Aoe.HEADER, Ata.DATA + Ata.sectorCount(write) * Ata.SECTOR);
    }

    @Test
    void corruptedWriteIsRetransmittedWithTheRightCrc() throws Exception {
        TargetInfo t = open(50);
        client.useCrc(t, true);
        fake.responder = q -> Aoe.command(q) == Aoe.CMD_ATA && !crcRight(q) ? null : fake.serve(q);
        faults.corruptCrcOfNextWrites(1);
        int before = fake.sent.size();
        client.write(t, 3, new byte[512], 1);
        client.write(t, 4, new byte[512], 1);
        List<ByteBuffer> sent = fake.sent.subList(before, fake.sent.size());
        assertEquals(3, sent.size(), "the bad write, its retransmission, the next write");
        assertFalse(crcRight(sent.get(0)));
        assertTrue(crcRight(sent.get(1)));
        assertTrue(crcRight(sent.get(2)));
        assertEquals(1, client.retransmits());
    }

    @Test
    void lateRepliesToDuplicatesHaveTheirCrcChecked() throws Exception {
        TargetInfo t = open(2000);
        client.useCrc(t, true);
        fake.responder = q -> {
            ByteBuffer r = fake.serve(q);
            if (Aoe.command(q) != Aoe.CMD_ATA || Ata.command(q) != Ata.CMD_READ_EXT) {
                return r;
            }
            ByteBuffer c = ByteBuffer.allocate(r.limit() + Crc8x4.BYTES);
            c.put(0, r, 0, r.limit());
            Crc8x4.append(c, Aoe.HEADER, r.limit());
            return c;
        };
        faults.checkCrcOfLateReplies(true);
        faults.duplicateAndReorder(true);
        for (int i = 0; i < 6; i++) {
            client.read(t, i, 1);
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (faults.lateRepliesChecked() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, faults.duplicated(), "requests 3 and 6 twice");
        assertEquals(2, faults.lateRepliesChecked(), "the second reply to each duplicate");
        assertEquals(0, faults.lateCrcErrors());
        assertEquals(0, client.crcErrors());
    }
}
