/**
 * The negotiation extension: this bundle owns AoE command 0x23 (extension negotiation) and the
 * coalesced read it can turn on (AoE command 0x24). What an initiator negotiated is kept by the
 * target per initiator MAC (through {@link org.aoede.api.ExtensionContext}), not here: replacing
 * the bundle loses nothing.
 *
 * <p><b>Registers:</b> {@link org.aoede.extension.negotiation.Negotiation} as
 * {@link org.aoede.api.Extension}, property {@code aoede.extension=negotiation} (used by an export
 * whose {@code .cfg} names it in {@code extensions}); negotiable names {@code reset},
 * {@code congestion}, {@code coalesced_read}. <b>Uses:</b> no services.
 * <b>Configuration:</b> none.
 *
 * <p><b>Start reading:</b> {@link org.aoede.extension.negotiation.Negotiation}; the wire layouts
 * are {@link org.aoede.protocol.Negotiate} and {@link org.aoede.protocol.CoalescedRead}.
 */
package org.aoede.extension.negotiation;
