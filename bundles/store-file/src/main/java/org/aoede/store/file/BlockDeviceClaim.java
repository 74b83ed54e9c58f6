package org.aoede.store.file;

import java.io.IOException;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import org.aoede.api.StoreSpec;

/**
 * Holds a block device open with O_EXCL for as long as it is exported: Linux then refuses the
 * claim if the device is mounted or claimed by another exclusive user, and refuses them later.
 */
final class BlockDeviceClaim implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_EXCL = 0x80;
    private static final int EBUSY = 16;

    static {
        Native.register(BlockDeviceClaim.class, "c");
    }

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private final int fd;

    private BlockDeviceClaim(int fd) {
        this.fd = fd;
    }

    static BlockDeviceClaim claim(Path device, boolean readOnly) throws IOException {
        try {
            return new BlockDeviceClaim(open(device.toString(), (readOnly ? O_RDONLY : O_RDWR) | O_EXCL));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EBUSY) {
                throw new StoreSpec.Invalid("file", device + " is in use (mounted, or claimed by another program)");
            }
            throw new StoreSpec.Invalid("file", device + ": cannot open exclusively (errno " + e.getErrorCode() + ")");
        }
    }

    @Override
    public void close() {
        try {
            close(fd);
        } catch (LastErrorException ignored) {
            // nothing left to release
        }
    }
}
