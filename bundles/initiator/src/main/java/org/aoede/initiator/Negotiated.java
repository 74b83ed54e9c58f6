package org.aoede.initiator;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.aoede.protocol.Aoe;

/**
 * The outcome of an extension negotiation (AoE command 0x23): the names the target accepted
 * (upper-cased in its reply, shown that way) and the ones it left as they were. The number after
 * {@code congestion} is part of it and is listed in neither.
 */
public record Negotiated(List<String> accepted, List<String> rejected) {
    /** AoE command 0x23: extension negotiation; 0x24: coalesced read (both the original AoEde's numbers). */
    public static final int CMD_NEGOTIATE = 0x23;
    public static final int CMD_COALESCED_READ = 0x24;
    /** Offset of the 16-bit length (big-endian) and of the names. */
    static final int O_LENGTH = Aoe.HEADER;
    static final int O_NAMES = Aoe.HEADER + 2;

    /** The name list: each name NUL-terminated, then one more NUL. */
    static byte[] encode(List<String> names) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String n : names) {
            if (n.isEmpty() || n.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("extension names must be non-empty and contain no NUL: '" + n + "'");
            }
            b.writeBytes(n.getBytes(StandardCharsets.US_ASCII));
            b.write(0);
        }
        b.write(0);
        if (names.isEmpty()) {
            b.write(0);
        }
        return b.toByteArray();
    }

    /** Names of a 0x23 frame (request or reply), as they stand in it. */
    static List<String> names(ByteBuffer f) {
        List<String> out = new ArrayList<>();
        if (f.limit() < O_NAMES) {
            return out;
        }
        int end = Math.min(f.limit(), O_NAMES + (f.getShort(O_LENGTH) & 0xffff));
        int i = O_NAMES;
        while (i < end) {
            int j = i;
            while (j < end && f.get(j) != 0) {
                j++;
            }
            if (j == i) {
                break;               // an empty name: the second NUL of the double NUL
            }
            byte[] b = new byte[j - i];
            f.get(i, b);
            out.add(new String(b, StandardCharsets.ISO_8859_1));
            i = j + 1;
        }
        return out;
    }

    /** Compares the names sent with the reply's: a name that came back upper-cased was accepted. */
    static Negotiated decode(List<String> sent, ByteBuffer reply) {
        List<String> back = names(reply);
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
