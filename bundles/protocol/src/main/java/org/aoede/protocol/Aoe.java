package org.aoede.protocol;

import java.nio.ByteBuffer;

/**
 * The Ethernet header and the AoE common header (AoE specification r11, section 2).
 * Frames are {@link ByteBuffer}s holding a whole Ethernet frame from index 0, in
 * network byte order; accessors use absolute indexes so they never move the buffer
 * and never allocate.
 */
public final class Aoe {
    public static final int ETHERTYPE = 0x88A2;
    public static final int ETH_HEADER = 14;
    /** Ethernet header plus the AoE common header; the command header starts here. */
    public static final int HEADER = 24;
    /** Ethernet minimum frame length without FCS: every reply is padded to it. */
    public static final int MIN_FRAME = 60;
    public static final int VERSION = 1;

    public static final int FLAG_RESPONSE = 0x8;
    public static final int FLAG_ERROR = 0x4;

    public static final int CMD_ATA = 0;
    public static final int CMD_CONFIG = 1;
    public static final int CMD_MASK = 2;
    public static final int CMD_RESERVE = 3;

    public static final int ERR_BAD_COMMAND = 1;
    public static final int ERR_BAD_ARGUMENT = 2;
    public static final int ERR_DEVICE_UNAVAILABLE = 3;
    public static final int ERR_CONFIG_PRESENT = 4;
    public static final int ERR_BAD_VERSION = 5;
    public static final int ERR_RESERVED = 6;

    public static final int BROADCAST_SHELF = 0xffff;
    public static final int BROADCAST_SLOT = 0xff;

    /** Tags with this bit set belong to userland initiators; the Linux driver drops replies carrying it. */
    public static final int TAG_USERLAND = 0x80000000;

    private static final int O_DST = 0, O_SRC = 6, O_TYPE = 12, O_VERFLAGS = 14, O_ERROR = 15,
            O_SHELF = 16, O_SLOT = 18, O_COMMAND = 19, O_TAG = 20;

    private Aoe() {
    }

    /** True if the frame is long enough for the common header and carries the AoE EtherType. */
    public static boolean isAoe(ByteBuffer f) {
        return f.limit() >= HEADER && etherType(f) == ETHERTYPE;
    }

    public static long dst(ByteBuffer f) { return Mac.get(f, O_DST); }
    public static long src(ByteBuffer f) { return Mac.get(f, O_SRC); }
    public static int etherType(ByteBuffer f) { return f.getShort(O_TYPE) & 0xffff; }
    public static int version(ByteBuffer f) { return (f.get(O_VERFLAGS) & 0xff) >>> 4; }
    public static int flags(ByteBuffer f) { return f.get(O_VERFLAGS) & 0x0f; }
    public static boolean isResponse(ByteBuffer f) { return (flags(f) & FLAG_RESPONSE) != 0; }
    public static boolean isError(ByteBuffer f) { return (flags(f) & FLAG_ERROR) != 0; }
    public static int error(ByteBuffer f) { return f.get(O_ERROR) & 0xff; }
    public static int shelf(ByteBuffer f) { return f.getShort(O_SHELF) & 0xffff; }
    public static int slot(ByteBuffer f) { return f.get(O_SLOT) & 0xff; }
    public static int command(ByteBuffer f) { return f.get(O_COMMAND) & 0xff; }
    public static int tag(ByteBuffer f) { return f.getInt(O_TAG); }

    public static void setDst(ByteBuffer f, long mac) { Mac.put(f, O_DST, mac); }
    public static void setSrc(ByteBuffer f, long mac) { Mac.put(f, O_SRC, mac); }
    public static void setFlags(ByteBuffer f, int flags) { f.put(O_VERFLAGS, (byte) (VERSION << 4 | (flags & 0x0f))); }
    public static void setError(ByteBuffer f, int error) { f.put(O_ERROR, (byte) error); }
    public static void setTag(ByteBuffer f, int tag) { f.putInt(O_TAG, tag); }
    public static void setShelf(ByteBuffer f, int shelf) { f.putShort(O_SHELF, (short) shelf); }
    public static void setSlot(ByteBuffer f, int slot) { f.put(O_SLOT, (byte) slot); }
    public static void setCommand(ByteBuffer f, int command) { f.put(O_COMMAND, (byte) command); }

    /** Writes a whole common header (Ethernet + AoE) at index 0. */
    public static void putHeader(ByteBuffer f, long dst, long src, int flags, int error,
                                 int shelf, int slot, int command, int tag) {
        Mac.put(f, O_DST, dst);
        Mac.put(f, O_SRC, src);
        f.putShort(O_TYPE, (short) ETHERTYPE);
        setFlags(f, flags);
        setError(f, error);
        setShelf(f, shelf);
        setSlot(f, slot);
        setCommand(f, command);
        setTag(f, tag);
    }

    /**
     * Turns a request header already copied into {@code reply} into a response header:
     * addressed back to the sender, from {@code self}, R flag set, no error, same tag.
     */
    public static void toResponse(ByteBuffer reply, long self) {
        long requester = src(reply);
        setDst(reply, requester);
        setSrc(reply, self);
        setFlags(reply, FLAG_RESPONSE);
        setError(reply, 0);
    }

    /** Marks a response as an AoE error reply with the given code. */
    public static void toError(ByteBuffer reply, int error) {
        setFlags(reply, FLAG_RESPONSE | FLAG_ERROR);
        setError(reply, error);
    }

    /** Sets the limit to {@code length} and zero-fills up to {@link #MIN_FRAME} if shorter. */
    public static void finish(ByteBuffer f, int length) {
        int end = Math.max(length, MIN_FRAME);
        f.limit(end).position(0);      // first: the padding may lie beyond the old limit
        for (int i = length; i < end; i++) {
            f.put(i, (byte) 0);
        }
    }

    public static boolean isBroadcastAddress(int shelf, int slot) {
        return shelf == BROADCAST_SHELF || slot == BROADCAST_SLOT;
    }

    /** True if a request addressed to {@code shelf.slot} is meant for the export at {@code myShelf.mySlot}. */
    public static boolean addressedTo(int shelf, int slot, int myShelf, int mySlot) {
        return (shelf == myShelf || shelf == BROADCAST_SHELF) && (slot == mySlot || slot == BROADCAST_SLOT);
    }
}
