/**
 * The AoE and ATA wire formats: this bundle owns the frame layouts, as plain Java over
 * {@link java.nio.ByteBuffer}s holding a whole Ethernet frame from index 0 (absolute indexes,
 * network byte order, no allocation). Exported; used by the target, the extensions and the
 * initiator.
 *
 * <p><b>Registers:</b> nothing (no components). <b>Uses:</b> nothing. <b>Configuration:</b> none.
 *
 * <p><b>Start reading:</b>
 * <ul>
 * <li>{@link org.aoede.protocol.Aoe}: the Ethernet header and the AoE common header;</li>
 * <li>{@link org.aoede.protocol.Ata}: the ATA command header and constants;</li>
 * <li>{@link org.aoede.protocol.Config}, {@link org.aoede.protocol.MacMask},
 * {@link org.aoede.protocol.Reserve}: the control commands;</li>
 * <li>{@link org.aoede.protocol.Negotiate} (0x23) and {@link org.aoede.protocol.CoalescedRead}
 * (0x24): the extension commands; {@link org.aoede.protocol.Crc8x4}: the CRC they can turn on;</li>
 * <li>{@link org.aoede.protocol.Mac}: MAC addresses as {@code long}s;
 * {@link org.aoede.protocol.Sizes}: the {@code .cfg} size syntax ({@code 64M}).</li>
 * </ul>
 */
package org.aoede.protocol;
