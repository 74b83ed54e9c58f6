/**
 * The CRC extension: this bundle owns CRC8x4 on ATA data for the initiators that negotiated
 * {@code crc8x4}: data replies carry the four CRC bytes, writes must carry them (a mismatch is
 * counted and neither applied nor acknowledged; a missing CRC is refused with AoE error 2).
 * Initiators that did not negotiate it are not touched.
 *
 * <p><b>Registers:</b> {@link org.aoede.extension.crc.CrcExtension} as
 * {@link org.aoede.api.Extension}, property {@code aoede.extension=crc} (used by an export whose
 * {@code .cfg} names it in {@code extensions}); negotiable name {@code crc8x4}, negotiated through
 * the negotiation extension. <b>Uses:</b> no services. <b>Configuration:</b> none.
 *
 * <p><b>Start reading:</b> {@link org.aoede.extension.crc.CrcExtension}; the checksum itself is
 * {@link org.aoede.protocol.Crc8x4}.
 */
package org.aoede.extension.crc;
