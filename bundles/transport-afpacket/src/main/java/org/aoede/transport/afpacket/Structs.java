package org.aoede.transport.afpacket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** Layouts of the kernel structures the transport builds in direct buffers (LP64 Linux). */
final class Structs {
    /** struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]. */
    static final int SOCKADDR_LL = 20;
    /** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
    static final int SOCK_FILTER = 8;
    /** struct sock_fprog: u16 len, padding, struct sock_filter *filter. */
    static final int SOCK_FPROG = 16;
    /** struct iovec: void *base, size_t len. */
    static final int IOVEC = 16;
    /** struct mmsghdr: struct msghdr (56) + unsigned msg_len + padding. */
    static final int MMSGHDR = 64;
    static final int MSG_NAME = 0;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    static final int MSG_FLAGS = 48;
    static final int MSG_LEN = 56;

    // classic BPF opcodes
    static final int BPF_LD_H_ABS = 0x28;
    static final int BPF_LD_W_ABS = 0x20;
    static final int BPF_JEQ_K = 0x15;
    static final int BPF_RET_K = 0x06;
    /** SKF_AD_OFF + SKF_AD_PKTTYPE: the ancillary "packet type" load. */
    static final int SKF_AD_PKTTYPE = 0xfffff000 + 4;

    private Structs() {
    }

    static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** sockaddr_ll for bind(): this interface, this EtherType. */
    static ByteBuffer sockaddrLl(int ifindex, int ethertype) {
        ByteBuffer b = direct(SOCKADDR_LL);
        b.putShort(0, (short) Sys.AF_PACKET);
        b.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) ethertype).order(ByteOrder.nativeOrder());
        b.putInt(4, ifindex);
        return b;
    }

    /**
     * The kernel filter: EtherType 0x88A2 and not our own outgoing frames, whole frame kept.
     * <pre>
     *   ldh [12]; jeq #0x88a2, next, drop; ld pkttype; jeq #OUTGOING, drop, next; ret #262144; drop: ret #0
     * </pre>
     */
    static int[][] aoeFilter() {
        return new int[][] {
            {BPF_LD_H_ABS, 0, 0, 12},
            {BPF_JEQ_K, 0, 3, Sys.ETH_P_AOE},
            {BPF_LD_W_ABS, 0, 0, SKF_AD_PKTTYPE},
            {BPF_JEQ_K, 1, 0, Sys.PACKET_OUTGOING},
            {BPF_RET_K, 0, 0, 0x40000},
            {BPF_RET_K, 0, 0, 0},
        };
    }

    /** The instructions as an array of struct sock_filter. */
    static ByteBuffer filterCode(int[][] program) {
        ByteBuffer b = direct(program.length * SOCK_FILTER);
        for (int i = 0; i < program.length; i++) {
            int o = i * SOCK_FILTER;
            b.putShort(o, (short) program[i][0]);
            b.put(o + 2, (byte) program[i][1]);
            b.put(o + 3, (byte) program[i][2]);
            b.putInt(o + 4, program[i][3]);
        }
        return b;
    }

    static ByteBuffer fprog(int length, long code) {
        ByteBuffer b = direct(SOCK_FPROG);
        b.putShort(0, (short) length);
        b.putLong(8, code);
        return b;
    }

    /** Fills n mmsghdr entries, each with one iovec pointing at its slot of the buffer area. */
    static void vector(ByteBuffer msgvec, ByteBuffer iovecs, long slotsAddress, int slotSize, int n) {
        long iovAddr = address(iovecs);
        for (int i = 0; i < n; i++) {
            int io = i * IOVEC;
            iovecs.putLong(io, slotsAddress + (long) i * slotSize);
            iovecs.putLong(io + 8, slotSize);
            int m = i * MMSGHDR;
            msgvec.putLong(m + MSG_NAME, 0);
            msgvec.putInt(m + MSG_NAMELEN, 0);
            msgvec.putLong(m + MSG_IOV, iovAddr + io);
            msgvec.putLong(m + MSG_IOVLEN, 1);
            msgvec.putLong(m + MSG_CONTROL, 0);
            msgvec.putLong(m + MSG_CONTROLLEN, 0);
            msgvec.putInt(m + MSG_FLAGS, 0);
            msgvec.putInt(m + MSG_LEN, 0);
        }
    }
}
