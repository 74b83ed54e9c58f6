/**
 * The freeze extension: this bundle owns freezing and unfreezing an export. Frozen, the image
 * stays byte-for-byte unchanged and writes go to a shadow file; unfrozen, the shadow is merged
 * back in the background and then removed. While frozen or merging, the export requires this
 * extension: without the bundle it answers nothing.
 *
 * <p><b>Registers:</b> {@link org.aoede.extension.freeze.FreezeExtension} as
 * {@link org.aoede.api.Extension} (property {@code aoede.extension=freeze}, used by an export whose
 * {@code .cfg} names it in {@code extensions}) and as {@link org.aoede.api.Freezer} (the shell's
 * {@code aoe:freeze}/{@code aoe:unfreeze}, the web console).
 * <b>Uses:</b> no services; it marks itself required through the
 * {@link org.aoede.api.ExportHandle} the target passes to {@code wrap}.
 *
 * <p><b>Configuration:</b> per export, in its {@code .cfg}: {@code freeze.shadow} (default
 * {@code ${karaf.data}/aoede/shadow/NAME.shadow}), {@code freeze.limit} (default: no limit),
 * {@code freeze.merge-rate} (bytes/s, default 0: unlimited).
 *
 * <p><b>Start reading:</b> {@link org.aoede.extension.freeze.FreezeExtension},
 * {@link org.aoede.extension.freeze.FreezeStore} (the states and the merge),
 * {@link org.aoede.extension.freeze.Shadow} (the on-disk format).
 */
package org.aoede.extension.freeze;
