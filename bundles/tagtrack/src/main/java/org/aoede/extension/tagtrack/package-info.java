/**
 * The tag-tracking extension: this bundle owns, for the initiators that negotiated monotonic tags
 * ({@code tag_inc_le}, {@code tag_inc_be}), what became of each recent tag (a history window and a
 * replay cache per initiator), so that a duplicated or late write is never done twice and a
 * duplicated request gets the reply the export gave.
 *
 * <p><b>Registers:</b> {@link org.aoede.extension.tagtrack.TagTrack} as
 * {@link org.aoede.api.Extension}, property {@code aoede.extension=tagtrack} (used by an export
 * whose {@code .cfg} names it in {@code extensions}); negotiable names {@code tag_inc_le},
 * {@code tag_inc_be}. <b>Uses:</b> no services.
 *
 * <p><b>Configuration:</b> per export, in its {@code .cfg}: {@code tagtrack.history}, tags
 * remembered per initiator (default 32,768; a power of two in [1,024, 1,048,576]).
 *
 * <p><b>Start reading:</b> {@link org.aoede.extension.tagtrack.TagTrack} (its class comment
 * explains both windows; per-initiator state lives in {@link org.aoede.api.ExtensionContext}).
 */
package org.aoede.extension.tagtrack;
