package org.aoede.transport.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class StructsTest {
    @Test
    void sockaddrLlCarriesFamilyProtocolInNetworkOrderAndIndex() {
        ByteBuffer b = Structs.sockaddrLl(7, 0x88A2);
        assertEquals(20, b.capacity());
        byte[] bytes = new byte[20];
        b.get(0, bytes);
        // little-endian family 17, big-endian 0x88a2, little-endian ifindex 7, rest zero
        byte[] want = {17, 0, (byte) 0x88, (byte) 0xA2, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(bytes));
    }

    @Test
    void filterAcceptsAoeOnlyAndNotOutgoing() {
        int[][] p = Structs.aoeFilter();
        // Interpret the program the way the kernel does, for the cases that matter.
        assertEquals(0x40000, run(p, 0x88A2, 0));          // PACKET_HOST
        assertEquals(0x40000, run(p, 0x88A2, 1));          // PACKET_BROADCAST
        assertEquals(0, run(p, 0x88A2, 4));                // PACKET_OUTGOING
        assertEquals(0, run(p, 0x0800, 0));                // IPv4
        assertEquals(0, run(p, 0x88A3, 1));
    }

    /** A tiny classic-BPF interpreter for the opcodes the filter uses. */
    private static int run(int[][] p, int ethertype, int pkttype) {
        int a = 0;
        int pc = 0;
        while (true) {
            int[] i = p[pc];
            switch (i[0]) {
                case Structs.BPF_LD_H_ABS:
                    assertEquals(12, i[3]);
                    a = ethertype;
                    break;
                case Structs.BPF_LD_W_ABS:
                    assertEquals(Structs.SKF_AD_PKTTYPE, i[3]);
                    a = pkttype;
                    break;
                case Structs.BPF_JEQ_K:
                    pc += a == i[3] ? i[1] : i[2];
                    break;
                case Structs.BPF_RET_K:
                    return i[3];
                default:
                    throw new AssertionError("opcode " + i[0]);
            }
            pc++;
        }
    }

    @Test
    void filterCodeIsAnArrayOfSockFilter() {
        ByteBuffer b = Structs.filterCode(new int[][] {{0x28, 1, 2, 12}, {0x06, 0, 0, 0x40000}});
        assertEquals(16, b.capacity());
        assertEquals(0x28, b.getShort(0));
        assertEquals(1, b.get(2));
        assertEquals(2, b.get(3));
        assertEquals(12, b.getInt(4));
        assertEquals(0x06, b.getShort(8));
        assertEquals(0x40000, b.getInt(12));
        ByteBuffer f = Structs.fprog(2, 0x1234_5678_9abcL);
        assertEquals(2, f.getShort(0));
        assertEquals(0x1234_5678_9abcL, f.getLong(8));
    }

    @Test
    void vectorPointsEachMessageAtItsSlot() {
        int n = 4;
        int slot = 9280;
        ByteBuffer area = Structs.direct(n * slot);
        ByteBuffer vec = Structs.direct(n * Structs.MMSGHDR);
        ByteBuffer iov = Structs.direct(n * Structs.IOVEC);
        long base = Structs.address(area);
        Structs.vector(vec, iov, base, slot, n);
        long iovBase = Structs.address(iov);
        for (int i = 0; i < n; i++) {
            int m = i * Structs.MMSGHDR;
            assertEquals(0, vec.getLong(m + Structs.MSG_NAME));
            assertEquals(iovBase + i * 16L, vec.getLong(m + Structs.MSG_IOV));
            assertEquals(1, vec.getLong(m + Structs.MSG_IOVLEN));
            assertEquals(base + (long) i * slot, iov.getLong(i * 16));
            assertEquals(slot, iov.getLong(i * 16 + 8));
        }
        assertTrue(base != 0);
    }

    @Test
    void nativeCallsWorkAndErrnoIsReported() {
        assertEquals(-1, Sys.close(-1));
        assertEquals(9, Sys.errno(), "EBADF");
        assertTrue(Sys.error(9).contains("errno 9"));
        assertEquals(0, Sys.if_nametoindex("aoede-no-such-if"));
    }
}
