package org.aoede.api;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of one export for management views.
 *
 * @param name        NAME of etc/org.aoede.export-NAME.cfg
 * @param source      the configuration file (or PID) it came from
 * @param settings    the configured key/values as in the .cfg (the operator's truth)
 * @param state       serving, probing, waiting for ..., refused: ..., invalid: ..., disabled, stopped
 * @param address     eSHELF.SLOT, or empty if the configuration was never valid
 * @param sectors     size in sectors while the store is open, else -1
 * @param live        the live values initiators change: config string, mask list, reservation
 * @param clients     MAC addresses of hosts seen, with the time last seen (epoch ms)
 * @param stats       counters and latency
 */
public record ExportInfo(String name, String source, Map<String, String> settings, String state, String address,
                         long sectors, Live live, Map<String, Long> clients, ExportStats stats) {

    /** What initiators changed over the wire. */
    public record Live(String configString, List<String> mask, List<String> reservation) {
    }
}
