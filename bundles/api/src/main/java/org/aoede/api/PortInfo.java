package org.aoede.api;

import java.util.List;

/**
 * One network interface of the appliance.
 *
 * @param name        interface name
 * @param transport   transport type (e.g. pcap)
 * @param up          open and usable
 * @param mac         MAC address (aa:bb:...)
 * @param mtu         MTU
 * @param maxSectors  sectors per frame advertised here
 * @param exports     names of the exports answering here
 * @param framesIn    AoE frames received
 * @param framesOut   frames sent
 * @param sendFailures frames the transport could not send
 * @param ignored     frames received that no export here was addressed by
 */
public record PortInfo(String name, String transport, boolean up, String mac, int mtu, int maxSectors,
                       List<String> exports, long framesIn, long framesOut, long sendFailures, long ignored) {
}
