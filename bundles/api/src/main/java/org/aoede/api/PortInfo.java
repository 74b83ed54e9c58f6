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
 * @param stats       the requests of all exports on this interface: counters and latency
 */
public record PortInfo(String name, String transport, boolean up, String mac, int mtu, int maxSectors,
                       List<String> exports, long framesIn, long framesOut, long sendFailures, long ignored,
                       ExportStats stats) {

    /** Without request statistics (e.g. an interface no export answers on yet). */
    public PortInfo(String name, String transport, boolean up, String mac, int mtu, int maxSectors,
                    List<String> exports, long framesIn, long framesOut, long sendFailures, long ignored) {
        this(name, transport, up, mac, mtu, maxSectors, exports, framesIn, framesOut, sendFailures, ignored,
                new ExportStats(0, 0, 0, 0, 0, java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), 0,
                        new ExportStats.Latency(new long[0], new long[] {0})));
    }
}
