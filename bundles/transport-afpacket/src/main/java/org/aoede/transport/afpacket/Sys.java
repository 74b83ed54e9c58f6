package org.aoede.transport.afpacket;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls of the transport, through JNA direct mapping ({@link Native#register}):
 * static natives, primitive arguments only, pointers passed as {@code long} addresses of
 * preallocated direct buffers, so a call allocates nothing. Linux, 64-bit only.
 */
final class Sys {
    // <sys/socket.h>, <linux/if_packet.h>, <linux/if_ether.h>, <asm-generic/errno.h> (x86_64 and aarch64 agree)
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SO_ATTACH_FILTER = 26;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_SNDBUFFORCE = 32;
    static final int SOL_PACKET = 263;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int ETH_P_AOE = 0x88A2;
    static final int PACKET_OUTGOING = 4;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_WAITFORONE = 0x10000;
    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENETDOWN = 100;
    static final int ENXIO = 6;
    static final int ENODEV = 19;
    static final short POLLIN = 1;

    static {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
            throw new UnsupportedOperationException("AF_PACKET transport needs 64-bit Linux");
        }
        Native.register(Sys.class, "c");
    }

    private Sys() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, long addr, int addrlen);

    static native int setsockopt(int fd, int level, int optname, long optval, int optlen);

    static native int recvmmsg(int fd, long msgvec, int vlen, int flags, long timeout);

    static native int sendmmsg(int fd, long msgvec, int vlen, int flags);

    static native long send(int fd, long buf, long len, int flags);

    static native int poll(long fds, long nfds, int timeout);

    static native int close(int fd);

    static native int if_nametoindex(String name);

    static native String strerror(int errnum);

    static int errno() {
        return Native.getLastError();
    }

    static String error(int errno) {
        return strerror(errno) + " (errno " + errno + ")";
    }
}
