/**
 * Block stores over Ceph RBD images: an export whose {@code file} is
 * {@code rbd:POOL/IMAGE[:id=USER][:conf=PATH][:keyring=PATH]} serves a window of the image through
 * librbd (JNA direct mapping of {@code librados.so.2} and {@code librbd.so.1}), with librbd's cache
 * off so that a completed write is on the OSDs.
 *
 * <p><b>Registers:</b> {@link org.aoede.store.rbd.RbdStoreFactory} as
 * {@link org.aoede.api.BlockStoreFactory}, property {@code aoede.store=rbd}.
 * <b>Uses:</b> no services. <b>Configuration:</b> none of its own; the export's {@code .cfg} as a
 * {@link org.aoede.api.StoreSpec}; system properties {@code aoede.rbd.connect.timeout} (seconds,
 * default 5) and {@code aoede.rbd.op.timeout} (seconds, default 30).
 *
 * <p><b>Start reading:</b> {@link org.aoede.store.rbd.RbdSpec} (the syntax),
 * {@link org.aoede.store.rbd.RbdStore} (open, submit, the resize watch), {@link org.aoede.store.rbd.Ceph}
 * (the C calls).
 */
package org.aoede.store.rbd;
