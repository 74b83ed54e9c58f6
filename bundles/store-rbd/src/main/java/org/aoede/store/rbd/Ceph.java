package org.aoede.store.rbd;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few calls of Ceph's C client libraries the store makes, through JNA direct mapping
 * ({@link Native#register}) of {@code librados.so.2} and {@code librbd.so.1} (Debian's
 * {@code librados2}, {@code librbd1}; no -dev package needed). Handles ({@code rados_t},
 * {@code rados_ioctx_t}, {@code rbd_image_t}, {@code rbd_completion_t}) are raw pointers held as
 * {@code long}; out-parameters are one-element arrays. Errors are negative errno values.
 */
final class Ceph {
    private Ceph() {
    }

    /** Why the libraries did not load, or null once they did. */
    private static final String UNAVAILABLE;

    static {
        String why = null;
        try {
            Native.register(Rados.class, "librados.so.2");
            Native.register(Rbd.class, "librbd.so.1");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            why = "Ceph's client libraries are not installed (Debian packages librados2 and librbd1): " + e.getMessage();
        }
        UNAVAILABLE = why;
    }

    /** Throws with a message saying what to install if librados/librbd are missing. */
    static void require() throws java.io.IOException {
        if (UNAVAILABLE != null) {
            throw new java.io.IOException(UNAVAILABLE);
        }
    }

    static final class Rados {
        private Rados() {
        }

        static native int rados_create2(long[] cluster, String clusterName, String name, long flags);

        static native int rados_conf_read_file(long cluster, String path);

        static native int rados_conf_set(long cluster, String option, String value);

        static native int rados_connect(long cluster);

        static native void rados_shutdown(long cluster);

        static native int rados_ioctx_create(long cluster, String pool, long[] ioctx);

        static native void rados_ioctx_destroy(long ioctx);
    }

    /** {@code rbd_callback_t}: {@code void (*)(rbd_completion_t cb, void *arg)}. */
    interface Completed extends Callback {
        void invoke(long completion, long arg);
    }

    /** {@code rbd_update_callback_t}: {@code void (*)(void *arg)}. */
    interface Updated extends Callback {
        void invoke(long arg);
    }

    static final class Rbd {
        private Rbd() {
        }

        static native int rbd_open(long ioctx, String name, long[] image, String snapName);

        static native int rbd_open_read_only(long ioctx, String name, long[] image, String snapName);

        static native int rbd_close(long image);

        static native int rbd_get_size(long image, long[] size);

        static native int rbd_get_features(long image, long[] features);

        static native long rbd_read(long image, long ofs, long len, Pointer buf);

        static native long rbd_write(long image, long ofs, long len, Pointer buf);

        static native int rbd_flush(long image);

        static native int rbd_aio_create_completion(long arg, Completed callback, long[] completion);

        static native int rbd_aio_read(long image, long off, long len, Pointer buf, long completion);

        static native int rbd_aio_write(long image, long off, long len, Pointer buf, long completion);

        static native int rbd_aio_flush(long image, long completion);

        static native long rbd_aio_get_return_value(long completion);

        static native void rbd_aio_release(long completion);

        static native int rbd_update_watch(long image, long[] handle, Updated callback, long arg);

        static native int rbd_update_unwatch(long image, long handle);

        /** {@code RBD_LOCK_MODE_EXCLUSIVE}. */
        static final int LOCK_EXCLUSIVE = 0;

        static native int rbd_lock_acquire(long image, int mode);

        static native int rbd_lock_release(long image);

        static native int rbd_lock_get_owners(long image, int[] mode, Pointer owners, long[] max);

        static native void rbd_lock_get_owners_cleanup(Pointer owners, long count);

        static native int rbd_lock_break(long image, int mode, String owner);

        static native int rbd_is_exclusive_lock_owner(long image, int[] isOwner);

        static native int rbd_metadata_get(long image, String key, Pointer value, long[] length);

        static native int rbd_metadata_set(long image, String key, String value);
    }

    /** A negative errno as words an operator can act on. */
    static String error(long rc) {
        int e = (int) -rc;
        String name = switch (e) {
            case 1 -> "EPERM, operation not permitted (the user's caps: profile rbd)";
            case 2 -> "ENOENT, no such image or pool";
            case 5 -> "EIO, input/output error";
            case 13 -> "EACCES, permission denied (wrong user, key or caps)";
            case 16 -> "EBUSY, in use";
            case 22 -> "EINVAL, invalid argument";
            case 28 -> "ENOSPC, cluster full";
            case 30 -> "EROFS, read-only";
            case 95 -> "EOPNOTSUPP, not supported by this image or cluster";
            case 108 -> "ESHUTDOWN, this client was blocklisted by the cluster";
            case 110 -> "ETIMEDOUT, no answer from the cluster in time";
            case 111 -> "ECONNREFUSED, connection refused";
            case 125 -> "ECANCELED, canceled";
            default -> "errno " + e;
        };
        return name + " [" + rc + "]";
    }
}
