package org.aoede.protocol;

import java.nio.ByteBuffer;

/** The AoE ATA command header (12 bytes after the common header) and the ATA constants used over AoE. */
public final class Ata {
    /** Length of Ethernet + AoE + ATA headers: sector data starts here. */
    public static final int HEADER = Aoe.HEADER + 12;
    public static final int DATA = HEADER;
    public static final int SECTOR = 512;

    public static final int AFLAG_EXTENDED = 0x40;
    public static final int AFLAG_DEVICE = 0x10;
    public static final int AFLAG_ASYNC = 0x02;
    public static final int AFLAG_WRITE = 0x01;

    public static final int CMD_READ = 0x20;
    public static final int CMD_READ_EXT = 0x24;
    public static final int CMD_WRITE = 0x30;
    public static final int CMD_WRITE_EXT = 0x34;
    public static final int CMD_CHECK_POWER_MODE = 0xE5;
    public static final int CMD_FLUSH = 0xE7;
    public static final int CMD_FLUSH_EXT = 0xEA;
    public static final int CMD_IDENTIFY = 0xEC;

    public static final int STATUS_ERR = 0x01;
    public static final int STATUS_DRQ = 0x08;
    public static final int STATUS_DF = 0x20;
    public static final int STATUS_DRDY = 0x40;
    public static final int STATUS_BSY = 0x80;

    public static final int ERROR_ABRT = 0x04;
    public static final int ERROR_IDNF = 0x10;
    public static final int ERROR_UNC = 0x40;

    public static final long LBA28_MASK = 0x0fff_ffffL;
    public static final long LBA48_MASK = 0xffff_ffff_ffffL;

    private static final int O_AFLAGS = Aoe.HEADER, O_FEATURE = Aoe.HEADER + 1, O_COUNT = Aoe.HEADER + 2,
            O_CMD = Aoe.HEADER + 3, O_LBA = Aoe.HEADER + 4;

    private Ata() {
    }

    public static int aflags(ByteBuffer f) { return f.get(O_AFLAGS) & 0xff; }
    public static int feature(ByteBuffer f) { return f.get(O_FEATURE) & 0xff; }
    public static int errorReg(ByteBuffer f) { return f.get(O_FEATURE) & 0xff; }
    public static int sectorCount(ByteBuffer f) { return f.get(O_COUNT) & 0xff; }
    public static int command(ByteBuffer f) { return f.get(O_CMD) & 0xff; }
    public static int status(ByteBuffer f) { return f.get(O_CMD) & 0xff; }

    /** The six LBA bytes, lba0 first (little-endian), as sent. */
    public static long rawLba(ByteBuffer f) {
        long v = 0;
        for (int i = 5; i >= 0; i--) {
            v = v << 8 | (f.get(O_LBA + i) & 0xff);
        }
        return v;
    }

    /** True if the request addresses 48-bit LBAs: the E flag or an EXT opcode. */
    public static boolean isExtended(ByteBuffer f) {
        int c = command(f);
        return (aflags(f) & AFLAG_EXTENDED) != 0 || c == CMD_READ_EXT || c == CMD_WRITE_EXT;
    }

    /** The LBA the request means: 48 bits for extended requests, else 28 (the Linux driver sets lba3's top bits). */
    public static long lba(ByteBuffer f) {
        return rawLba(f) & (isExtended(f) ? LBA48_MASK : LBA28_MASK);
    }

    public static void setAflags(ByteBuffer f, int v) { f.put(O_AFLAGS, (byte) v); }
    public static void setFeature(ByteBuffer f, int v) { f.put(O_FEATURE, (byte) v); }
    public static void setErrorReg(ByteBuffer f, int v) { f.put(O_FEATURE, (byte) v); }
    public static void setSectorCount(ByteBuffer f, int v) { f.put(O_COUNT, (byte) v); }
    public static void setCommand(ByteBuffer f, int v) { f.put(O_CMD, (byte) v); }
    public static void setStatus(ByteBuffer f, int v) { f.put(O_CMD, (byte) v); }

    public static void setLba(ByteBuffer f, long lba) {
        for (int i = 0; i < 6; i++) {
            f.put(O_LBA + i, (byte) (lba >>> (8 * i)));
        }
    }

    /** Writes a whole ATA header; reserved bytes are zeroed. */
    public static void putHeader(ByteBuffer f, int aflags, int feature, int count, int command, long lba) {
        setAflags(f, aflags);
        setFeature(f, feature);
        setSectorCount(f, count);
        setCommand(f, command);
        setLba(f, lba);
        f.putShort(Aoe.HEADER + 10, (short) 0);
    }

    /** Sector data bytes present in a frame of the given length. */
    public static int dataLength(int frameLength) {
        return Math.max(0, frameLength - DATA);
    }

    /** Max sectors an ATA command may carry on an interface of this MTU: (MTU − 36) / 512, at most 255. */
    public static int maxSectors(int mtu) {
        long n = ((long) mtu - HEADER) / SECTOR;
        return (int) Math.max(0, Math.min(255, n));
    }
}
