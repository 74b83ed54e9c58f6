package org.aoede.api;

/**
 * What an export is doing, as one typed value for every view (shell, web console, JMX,
 * Prometheus); the why goes in a separate detail text ({@link ExportInfo#detail()}).
 */
public enum ExportState {
    /** Answers initiators on at least one interface (detail: e.g. a refused edit of its file). */
    SERVING,
    /** Listens for another target with its address before answering (about a second). */
    PROBING,
    /**
     * Answers nothing while another appliance holds its store's lock (an RBD image): it watches
     * the holder and takes over when the holder falls silent (detail: who holds it, or why it
     * gave the lock up: fenced, handed over).
     */
    STANDBY,
    /** Valid, but waits for something to come: an interface, a transport, an extension bundle. */
    WAITING,
    /** {@code enabled = false}. */
    DISABLED,
    /** Refused until its configuration changes: address taken, file missing or in use, ... */
    REFUSED,
    /** The configuration was never valid. */
    INVALID,
    /** Stopped (being reconfigured, or its configuration went away). */
    STOPPED,
    /** Just configured, not decided yet. */
    NEW;

    /** True exactly when initiators get answers. */
    public boolean answers() {
        return this == SERVING;
    }

    /** Lower case, as shown and as the Prometheus label value ({@code serving}, ...). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
