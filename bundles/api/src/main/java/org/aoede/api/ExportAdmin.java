package org.aoede.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Manages exports while they run: the one place that validates and persists changes, used by
 * the shell, the web console and anything else that manages the appliance. Configuration
 * changes go through Config Admin into {@code etc/org.aoede.export-NAME.cfg} (the operator's
 * truth after a restart); live state changes go to the export's state file.
 */
public interface ExportAdmin {
    /** The factory PID of exports. */
    String FACTORY_PID = "org.aoede.export";

    /** Thrown when a change is refused; nothing was changed. The message names the problem. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    List<ExportInfo> exports();

    Optional<ExportInfo> export(String name);

    /** Per-interface statistics. */
    List<PortInfo> ports();

    /** Keys and their descriptions, in display order. */
    Map<String, String> keys();

    /**
     * The value in effect for each key left out of the .cfg, for the keys that have one (shelf,
     * slot, interfaces and file have none). A default that depends on other keys names them in
     * braces: {@code AOEDE-{shelf}-{slot}}. For display; empty by default.
     */
    default Map<String, String> defaults() {
        return Map.of();
    }

    /**
     * Creates a new export from key/value settings (as in the .cfg). Everything the export's start
     * would refuse (bad keys, the address in use, a missing file, a directory, a window past the
     * end, a block device in use, ...) is refused here, before any file is written. Returns
     * warnings about what was accepted but cannot serve yet (an interface that does not exist).
     */
    List<String> create(String name, Map<String, String> settings) throws Refused;

    /**
     * Changes settings of an export; a null value removes the key (back to its default). Checked
     * as {@link #create} is; a refused change leaves the export and its .cfg as they were.
     * Returns warnings as {@link #create} does.
     */
    List<String> update(String name, Map<String, String> changes) throws Refused;

    /**
     * Checks settings as {@link #create} (or, for the name of an existing export, {@link #update})
     * would, without writing or applying anything: {@code bin/aoe check FILE} for a .cfg written
     * by hand. Returns the same warnings.
     */
    List<String> check(String name, Map<String, String> settings) throws Refused;

    void delete(String name) throws Refused;

    /** Sets the live reservation (as a reserve/release force set from the wire would). */
    void reserve(String name, List<String> macs) throws Refused;

    /** Resets the live config string, mask list and reservation to the configured values. */
    void resetLive(String name) throws Refused;

    /**
     * Hands an export on a shared image (a writable {@code rbd:} export that holds the image's
     * lock) over to a standby appliance: this one stops answering, releases the lock and stands by
     * (taking the lock back no sooner than its {@code rbd.takeover-after}); a standby takes it at once.
     */
    default void handover(String name) throws Refused {
        throw new Refused("handover is not supported here");
    }
}
