package org.aoede.api;

import java.io.IOException;

/** The export whose store {@link Extension#wrap} wraps, as that extension sees it. */
public interface ExportHandle {
    /** The export's name (its {@code .cfg} is {@code org.aoede.export-NAME.cfg}). */
    String name();

    /**
     * Marks (or unmarks) the wrapping extension as required by this export, persisted in the
     * export's state file before this returns: while a required extension is not installed, the
     * export answers nothing (serving without it would answer wrongly, e.g. the image of a frozen
     * export without its shadow). For extensions whose state lives in files of their own. May be
     * called at any time after {@code wrap}, from any thread.
     *
     * @throws IOException the export is not running, or its state file could not be written
     */
    void require(boolean required) throws IOException;
}
