package org.aoede.api;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;

/**
 * An extension of the target, found through the whiteboard: an OSGi service with the property
 * {@link #NAME}. An export uses the extensions its configuration names ({@code extensions = a, b});
 * when one appears or goes away, the exports naming it pick it up or drop it while serving.
 *
 * <p>Hooks run on the receive threads, per request: no blocking, no per-frame logging. For an
 * export whose store is {@link BlockStore#asynchronous()}, {@link #afterAta} of a read, write or
 * flush runs on the export's I/O thread that completed it, after the store call, concurrently with
 * other hooks: keep shared state thread-safe (as it must be for exports on several interfaces).
 * Frames are whole Ethernet frames from index 0. State that must outlive the extension bundle (what an
 * initiator negotiated) lives in the target and is reached through {@link ExtensionContext}.
 */
public interface Extension {
    /** Service property: the name exports use in {@code extensions = ...}. */
    String NAME = "aoede.extension";

    /** Returned by {@link #beforeAta}: go on with the normal handling. */
    int PASS = -2;
    /** Returned by the hooks: answer nothing. */
    int NO_REPLY = -1;

    /** Negotiable names (see {@code 0x23}) this extension implements, e.g. {@code crc8x4}. */
    default Set<String> provides() {
        return Set.of();
    }

    /** An AoE command this extension answers itself (e.g. 0x23), or -1. */
    default int command() {
        return -1;
    }

    /**
     * True if this extension answers AoE command {@code command} itself (through {@link #handle});
     * by default only {@link #command()}. An extension that answers several commands overrides it.
     */
    default boolean handles(int command) {
        return command >= 0 && command == command();
    }

    /**
     * Answers a request of a command it {@link #handles}. The reply buffer is empty with room for a whole
     * frame; returns the reply length (Ethernet header included) or {@link #NO_REPLY}.
     */
    default int handle(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply) {
        return NO_REPLY;
    }

    /**
     * Sees an ATA request before the export handles it: {@link #PASS}, {@link #NO_REPLY}, or the
     * length of a reply it wrote into {@code reply} itself. Such a reply then passes the
     * {@link #afterAta} of the extensions listed before this one (not its own, nor those after it).
     */
    default int beforeAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply) {
        return PASS;
    }

    /**
     * Sees the ATA reply ({@code length} bytes) the export built, or an extension listed after this
     * one made; in reverse order of the list. Returns the final length.
     */
    default int afterAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply, int length) {
        return length;
    }

    /**
     * Wraps the export's store (a cache, a latency injector): the export reads, writes and flushes
     * through what this returns; by default the store itself (no wrapping). The rules:
     * <ul>
     * <li>{@code export} names the export and lets an extension whose state lives in files of its own
     * mark itself required by it ({@link ExportHandle#require}).</li>
     * <li>{@code settings} are the export's configured keys of this extension with its name and the
     * dot removed (for {@code cache.size = 64M}: {@code size -> 64M}).</li>
     * <li>The extensions of an export wrap in configured order, each over the previous result.</li>
     * <li>When the extension goes away or the export's configuration changes, the export stops for
     * a moment (requests in progress end, initiators retransmit), goes on with the new chain and
     * closes the old wrapper.</li>
     * <li>A wrapper's {@link BlockStore#close()} releases its own resources only, never the store it
     * wraps ({@link ForwardingBlockStore} does so by default).</li>
     * <li>A wrapper must not hold acknowledged data the wrapped store does not have (no
     * write-back).</li>
     * </ul>
     */
    default BlockStore wrap(ExportHandle export, Map<String, String> settings, BlockStore store) {
        return store;
    }

    /** Bytes appended after the data of replies (a checksum): the advertised sector count leaves room. */
    default int trailerBytes() {
        return 0;
    }
}
