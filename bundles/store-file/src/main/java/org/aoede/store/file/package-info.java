/**
 * Block stores over files: this bundle owns the opening of an export's window of a regular file,
 * sparse image or block device, and its exclusivity (an advisory byte-range lock; O_EXCL for a
 * block device), with read-only, O_DSYNC and O_DIRECT variants.
 *
 * <p><b>Registers:</b> {@link org.aoede.store.file.FileStoreFactory} as
 * {@link org.aoede.api.BlockStoreFactory}, property {@code aoede.store=file}.
 * <b>Uses:</b> no services. <b>Configuration:</b> none of its own; what to open comes from the
 * export's {@code .cfg} as a {@link org.aoede.api.StoreSpec} ({@code file}, {@code read-only},
 * {@code direct}, {@code sync}, {@code offset}, {@code length}).
 *
 * <p><b>Start reading:</b> {@link org.aoede.store.file.FileStoreFactory},
 * {@link org.aoede.store.file.FileStore}; then {@link org.aoede.store.file.DirectIo} (aligned
 * bounce buffers for O_DIRECT), {@link org.aoede.store.file.Gather} ({@code pwritev}) and
 * {@link org.aoede.store.file.BlockDeviceClaim}.
 */
package org.aoede.store.file;
