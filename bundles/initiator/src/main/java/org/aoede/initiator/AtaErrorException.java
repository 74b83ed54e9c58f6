package org.aoede.initiator;

import java.io.IOException;

/** The ATA status register had ERR set: the device refused the command (IDNF, ABRT ...). Not retried. */
public final class AtaErrorException extends IOException {
    private final int status;
    private final int error;

    public AtaErrorException(String what, int status, int error) {
        super(String.format("%s: ATA status=0x%02x error=0x%02x", what, status, error));
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public int error() {
        return error;
    }
}
