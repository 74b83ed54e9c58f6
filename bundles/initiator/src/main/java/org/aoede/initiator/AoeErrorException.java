package org.aoede.initiator;

import java.io.IOException;

/** The target answered with the E flag: an AoE error code (1 bad command ... 6 reserved). Not retried. */
public final class AoeErrorException extends IOException {
    private final int code;

    public AoeErrorException(int code) {
        super("AoE error " + code + " (" + name(code) + ")");
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static String name(int code) {
        switch (code) {
            case 1: return "unrecognized command";
            case 2: return "bad argument";
            case 3: return "device unavailable";
            case 4: return "config string present";
            case 5: return "unsupported version";
            case 6: return "target reserved";
            default: return "unknown";
        }
    }
}
