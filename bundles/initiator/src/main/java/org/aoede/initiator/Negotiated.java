package org.aoede.initiator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.aoede.protocol.Negotiate;

/**
 * The outcome of an extension negotiation (AoE command 0x23): the names the target accepted
 * (upper-cased in its reply, shown that way) and the ones it left as they were. The number after
 * {@code congestion} is part of it and is listed in neither. The wire layout is {@link Negotiate}'s.
 */
public record Negotiated(List<String> accepted, List<String> rejected) {
    /** Compares the names sent with the reply's: a name that came back upper-cased was accepted. */
    static Negotiated decode(List<String> sent, ByteBuffer reply) {
        List<String> back = Negotiate.names(reply);
        List<String> accepted = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (int k = 0; k < sent.size(); k++) {
            String s = sent.get(k);
            String r = k < back.size() ? back.get(k) : s;
            if (s.chars().allMatch(Character::isDigit)) {
                continue;            // congestion's number
            }
            if (!r.equals(s) && r.equals(s.toUpperCase(Locale.ROOT))) {
                accepted.add(r);
            } else {
                rejected.add(s);
            }
        }
        return new Negotiated(List.copyOf(accepted), List.copyOf(rejected));
    }

    /** True if the name (as sent, any case) was accepted. */
    public boolean accepted(String name) {
        return accepted.contains(name.toUpperCase(Locale.ROOT));
    }

    public String describe(String target) {
        return "negotiated target=" + target + " accepted=" + String.join(",", accepted)
                + " rejected=" + String.join(",", rejected);
    }
}
