package org.aoede.api;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * One request's view for an {@link Extension}: the export, the initiator (by MAC) and what that
 * initiator negotiated. Kept by the target per export and initiator MAC, so it survives the
 * replacement of an extension bundle.
 */
public interface ExtensionContext {
    String exportName();

    /** The initiator's MAC address (low 48 bits). */
    long initiator();

    /** Names this initiator negotiated (e.g. crc8x4), unmodifiable; empty for an initiator that never asked. */
    Set<String> negotiated();

    /** True if the name is negotiable now: an extension the export uses provides it. */
    boolean supported(String name);

    /** Turns a negotiated name on for this initiator. */
    void negotiate(String name);

    /** Forgets everything this initiator negotiated (reset; a config set from it). */
    void resetNegotiation();

    /** Counts an event under the export's informational statistics (e.g. "tag-replay"). */
    void count(String what);

    /** Counts an error under the export's errors (e.g. "crc-mismatch"): what an alert should see. */
    default void error(String what) {
        count(what);
    }

    /** Per-initiator scratch state of extensions (e.g. a tag window), kept by the target. */
    ConcurrentMap<String, Object> attributes();

    /**
     * Copies the first {@code length} bytes of the request into the reply and turns them into a
     * response of this export (addressed back, from the interface's MAC, R flag, the export's
     * shelf.slot, the request's tag). Returns {@code length}.
     */
    int respond(ByteBuffer request, ByteBuffer reply, int length);

    /**
     * Handles an ATA request frame as the export would (bounds, read-only, statistics), without
     * the extensions' hooks; the reply goes into {@code reply}. Returns its length or -1.
     */
    int ata(ByteBuffer request, ByteBuffer reply);

    /** Sends a frame (between position and limit, padded by the caller) on the request's interface now. */
    boolean send(ByteBuffer frame);

    /** The export's buffer count (requests an initiator may have in flight), as advertised. */
    default int bufferCount() {
        return 64;
    }
}
