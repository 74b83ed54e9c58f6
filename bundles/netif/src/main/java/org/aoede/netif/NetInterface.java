package org.aoede.netif;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * A network interface as the kernel sees it, found by name: index, MAC, MTU, flags.
 *
 * <p>Why not {@link java.net.NetworkInterface}: the JDK enumerates interfaces through their
 * addresses, so an interface with no IPv4 address and IPv6 disabled (the ordinary state of a
 * storage NIC) does not exist for it. Here the lookup is what vblade does: {@code ioctl}s on a
 * socket by interface name ({@code SIOCGIFINDEX}, {@code SIOCGIFHWADDR}, {@code SIOCGIFMTU},
 * {@code SIOCGIFFLAGS}), and {@code if_nameindex()} for the list. Both answer for the network
 * namespace of the calling thread. Control plane only: each call opens and closes a socket.
 *
 * @param name    interface name
 * @param index   ifindex; a new one after the interface was deleted and made again
 * @param mac     hardware address, low 48 bits
 * @param mtu     MTU
 * @param up      administratively up (IFF_UP)
 * @param running the link has a carrier (IFF_RUNNING)
 */
public record NetInterface(String name, int index, long mac, int mtu, boolean up, boolean running) {
    /** Up with a carrier: frames can go out and come in. */
    public boolean usable() {
        return up && running;
    }

    /** What stops it from being usable, for a status line ("interface is down"); empty if usable. */
    public String problem() {
        return !up ? "interface is down" : !running ? "interface has no carrier" : "";
    }

    /** The interface named {@code name}, or empty if there is none (in this network namespace). */
    public static Optional<NetInterface> byName(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length == 0 || n.length >= IFNAMSIZ || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        int fd = Libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket(AF_UNIX) failed, errno " + Native.getLastError());
        }
        try {
            ByteBuffer ifr = ByteBuffer.allocateDirect(IFREQ).order(ByteOrder.nativeOrder());
            Pointer addr = Native.getDirectBufferPointer(ifr);
            if (!ask(fd, SIOCGIFINDEX, ifr, addr, n)) {
                return Optional.empty();
            }
            int index = ifr.getInt(IFNAMSIZ);
            if (!ask(fd, SIOCGIFHWADDR, ifr, addr, n)) {
                return Optional.empty();
            }
            long mac = 0;
            for (int i = 0; i < 6; i++) {
                mac = mac << 8 | (ifr.get(IFNAMSIZ + 2 + i) & 0xff);
            }
            if (!ask(fd, SIOCGIFMTU, ifr, addr, n)) {
                return Optional.empty();
            }
            int mtu = ifr.getInt(IFNAMSIZ);
            if (!ask(fd, SIOCGIFFLAGS, ifr, addr, n)) {
                return Optional.empty();
            }
            int flags = ifr.getShort(IFNAMSIZ) & 0xffff;
            return Optional.of(new NetInterface(name, index, mac, mtu, (flags & IFF_UP) != 0, (flags & IFF_RUNNING) != 0));
        } finally {
            Libc.close(fd);
        }
    }

    /** The names of all interfaces (in this network namespace), loopback included, in index order. */
    public static List<String> names() {
        Pointer p = Libc.if_nameindex();
        if (p == null) {
            throw new IllegalStateException("if_nameindex() failed, errno " + Native.getLastError());
        }
        try {
            List<String> out = new ArrayList<>();
            // struct if_nameindex { unsigned int if_index; char *if_name; }: 16 bytes on 64-bit
            for (long off = 0; p.getInt(off) != 0; off += 16) {
                out.add(p.getPointer(off + 8).getString(0, StandardCharsets.UTF_8.name()));
            }
            return out;
        } finally {
            Libc.if_freenameindex(p);
        }
    }

    /** Fills ifr_name and asks; false if the kernel knows no such interface (ENODEV). */
    private static boolean ask(int fd, long request, ByteBuffer ifr, Pointer addr, byte[] name) {
        for (int i = 0; i < IFREQ; i++) {
            ifr.put(i, (byte) 0);
        }
        ifr.put(0, name);
        if (Libc.ioctl(fd, request, addr) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == ENODEV || errno == ENXIO) {
            return false;                       // gone (or renamed) between two calls: not there
        }
        throw new IllegalStateException("ioctl 0x" + Long.toHexString(request) + " on " + new String(name,
                StandardCharsets.UTF_8) + " failed, errno " + errno);
    }

    // <linux/if.h>, <linux/sockios.h>, <sys/socket.h>, <asm-generic/errno-base.h>
    static final int IFNAMSIZ = 16;
    private static final int IFREQ = 40;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCGIFMTU = 0x8921;
    private static final long SIOCGIFHWADDR = 0x8927;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int ENXIO = 6;
    private static final int ENODEV = 19;

    /** libc through JNA direct mapping; {@code ioctl} takes its one argument as an address. */
    private static final class Libc {
        static {
            if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
                throw new UnsupportedOperationException("interface lookup by name needs 64-bit Linux");
            }
            Native.register(Libc.class, "c");
        }

        static native int socket(int domain, int type, int protocol);

        static native int ioctl(int fd, long request, Pointer arg);

        static native int close(int fd);

        static native Pointer if_nameindex();

        static native void if_freenameindex(Pointer p);
    }
}
