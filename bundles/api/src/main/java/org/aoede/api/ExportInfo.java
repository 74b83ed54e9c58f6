package org.aoede.api;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of one export for management views.
 *
 * @param name        NAME of etc/org.aoede.export-NAME.cfg
 * @param source      the configuration file (or PID) it came from
 * @param settings    the configured key/values as in the .cfg (the operator's truth)
 * @param state       what it is doing (serving, probing, waiting, refused, ...)
 * @param detail      why, or what else an operator must know (e.g. "waiting for interface eth1 (no such
 *                    interface)", "last edit refused: ..."); empty if nothing
 * @param refusedEdit the reason a hand edit of the .cfg was refused while the export goes on with its
 *                    last good settings (the file still holds it: it will not start after a restart
 *                    until fixed); empty if none
 * @param address     eSHELF.SLOT, or empty if the configuration was never valid
 * @param sectors     size in sectors while the store is open, else -1
 * @param live        the live values initiators change: config string, mask list, reservation
 * @param clients     MAC addresses of hosts seen, with the time last seen (epoch ms)
 * @param stats       counters and latency
 */
public record ExportInfo(String name, String source, Map<String, String> settings, ExportState state, String detail,
                         String refusedEdit, String address,
                         long sectors, Live live, Map<String, Long> clients, ExportStats stats) {

    /** State and detail as one line for people: {@code serving}, {@code refused: e1.0 is ...}. */
    public String status() {
        return status(state, detail);
    }

    /**
     * {@code waiting for interface eth1 (...)}, {@code refused: why}, {@code serving (last edit
     * refused: why)}: a detail that starts with "for " or "(" follows the state with a space, any
     * other with a colon.
     */
    public static String status(ExportState state, String detail) {
        if (detail.isEmpty()) {
            return state.label();
        }
        boolean space = detail.startsWith("for ") || detail.startsWith("(");
        return state.label() + (space ? " " : ": ") + detail;
    }

    /** What initiators changed over the wire. */
    public record Live(String configString, List<String> mask, List<String> reservation) {
    }
}
