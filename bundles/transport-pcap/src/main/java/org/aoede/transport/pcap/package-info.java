/**
 * The portable transport: this bundle owns raw Ethernet through libpcap (pcap4j), a
 * {@code pcap_loop} receive thread per interface with the BPF filter {@code ether proto 0x88a2},
 * inbound only, immediate mode; a missing interface is retried every 2 s.
 *
 * <p><b>Registers:</b> {@link org.aoede.transport.pcap.PcapTransport} as
 * {@link org.aoede.api.Transport}, property {@code aoede.transport=pcap} (chosen per export with
 * {@code transport = pcap}). <b>Uses:</b> no services. <b>Configuration:</b> none.
 *
 * <p><b>Start reading:</b> {@link org.aoede.transport.pcap.PcapTransport},
 * {@link org.aoede.transport.pcap.PcapLink} (also used as a library by the initiator).
 */
package org.aoede.transport.pcap;
