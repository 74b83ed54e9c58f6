package org.aoede.api;

import java.util.Optional;

/**
 * Freezes and unfreezes exports that use the {@code freeze} extension (the shell's
 * {@code aoe:freeze}/{@code aoe:unfreeze}, the web console). Frozen: the image stays
 * byte-for-byte unchanged, writes go to a shadow file, reads merge both. Unfrozen: writes go to
 * the image again while the shadow is merged back in the background; the shadow is removed at
 * the end.
 */
public interface Freezer {
    /** The extension's name in an export's {@code extensions = ...}. */
    String EXTENSION = "freeze";

    enum State {
        /** No shadow: reads and writes go to the image. */
        NORMAL,
        /** Writes go to the shadow; the image is unchanged. */
        FROZEN,
        /** Writes go to the image; the shadow is being copied back. */
        MERGING
    }

    /**
     * One export's freeze state.
     *
     * @param state         see {@link State}
     * @param shadow        the shadow file's path
     * @param shadowSectors sectors the shadow holds that are newer than the image
     * @param limitSectors  the shadow's size limit in sectors, 0 without a limit
     * @param mergeTotal    sectors to merge when the merge started (0 when not merging)
     * @param mergeDone     sectors merged (or superseded by newer writes) so far
     */
    record Status(State state, String shadow, long shadowSectors, long limitSectors, long mergeTotal, long mergeDone) {
        /** Merge progress in percent (100 when there is nothing left). */
        public int percent() {
            return mergeTotal <= 0 ? 100 : (int) Math.min(100, mergeDone * 100 / mergeTotal);
        }

        /** E.g. {@code FROZEN (shadow 12.0 MiB)} or {@code MERGING 42%}. */
        public String summary() {
            return switch (state) {
                case NORMAL -> "not frozen";
                case FROZEN -> "FROZEN (" + shadowSectors + " sectors in the shadow)";
                case MERGING -> "MERGING " + percent() + "% (" + shadowSectors + " sectors left)";
            };
        }
    }

    /**
     * Freezes an export: forces what was acknowledged, then sends every write to the shadow.
     * Refused when the export does not use freeze (or is not running), is frozen already or still merging.
     */
    Status freeze(String export) throws ExportAdmin.Refused;

    /** Unfreezes: writes go to the image again and the shadow is merged back in the background. */
    Status unfreeze(String export) throws ExportAdmin.Refused;

    /** The export's state; empty if it is not running with the freeze extension. */
    Optional<Status> status(String export);
}
