/**
 * The native transport, the default one: this bundle owns raw Ethernet (EtherType 0x88A2)
 * through a Linux AF_PACKET socket via JNA direct mapping, with a kernel BPF filter, batched
 * {@code recvmmsg}/{@code sendmmsg} and optional busy polling. Linux, 64-bit only: where the
 * native calls are missing, activation fails and no service is registered.
 *
 * <p><b>Registers:</b> {@link org.aoede.transport.afpacket.AfPacketTransport} as
 * {@link org.aoede.api.Transport}, property {@code aoede.transport=afpacket} (chosen per export
 * with {@code transport = afpacket}, also the default). <b>Uses:</b> no services.
 *
 * <p><b>Configuration:</b> PID {@code org.aoede.transport.afpacket} (optional,
 * {@code etc/org.aoede.transport.afpacket.cfg}): {@code busy-poll-us} (default 0) and
 * {@code qdisc-bypass} (default false); see
 * {@link org.aoede.transport.afpacket.AfPacketTransport.Config}.
 *
 * <p><b>Start reading:</b> {@link org.aoede.transport.afpacket.AfPacketTransport},
 * {@link org.aoede.transport.afpacket.AfPacketLink} (receive thread, transmit slots; also used as a library
 * by the initiator); the native
 * side in {@link org.aoede.transport.afpacket.Sys} and {@link org.aoede.transport.afpacket.Structs}.
 */
package org.aoede.transport.afpacket;
