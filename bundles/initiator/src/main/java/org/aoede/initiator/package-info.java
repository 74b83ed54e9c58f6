/**
 * An AoE initiator in Java: this module owns the client side, a library and a command line
 * ({@code java -jar aoede-initiator.jar COMMAND -i IFACE [SHELF.SLOT] [options]}) for the hosts
 * that use exports and for the tests. A plain shaded jar ({@code target/aoede-initiator.jar}),
 * not an OSGi bundle: it runs outside the appliance.
 *
 * <p><b>Registers:</b> nothing (no OSGi). <b>Uses:</b> no services; as libraries, the transports'
 * links for frames ({@link org.aoede.transport.pcap.PcapLink} by default,
 * {@link org.aoede.transport.afpacket.AfPacketLink} with {@code --transport afpacket}) and
 * {@code org.aoede.protocol} for the wire formats. <b>Configuration:</b> command-line options only.
 *
 * <p><b>Start reading:</b> {@link org.aoede.initiator.Cli} (the commands),
 * {@link org.aoede.initiator.AoeClient} (tags, retransmission, the request window); what it
 * returns: {@link org.aoede.initiator.TargetInfo}, {@link org.aoede.initiator.AtaReply},
 * {@link org.aoede.initiator.Identify}, {@link org.aoede.initiator.Negotiated}; its failures:
 * {@link org.aoede.initiator.NoReplyException}, {@link org.aoede.initiator.AoeErrorException},
 * {@link org.aoede.initiator.AtaErrorException}. Faults made on purpose for tests
 * ({@code --dup-reorder}, {@code --dup-delay-ms}, {@code --crc-corrupt}):
 * {@link org.aoede.initiator.FaultyLink}, a decorator of the link.
 */
package org.aoede.initiator;
