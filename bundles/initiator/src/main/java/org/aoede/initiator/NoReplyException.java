package org.aoede.initiator;

import java.io.IOException;

/** A request got no answer after all its tries. */
public final class NoReplyException extends IOException {
    public NoReplyException(String message) {
        super(message);
    }
}
