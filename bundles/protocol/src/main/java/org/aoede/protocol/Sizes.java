package org.aoede.protocol;

import java.util.Locale;

/**
 * Sizes as written in a .cfg: bytes, or a number with a K, M, G or T suffix (binary units, powers of
 * 1024), case-insensitive, optionally followed by B ({@code 64M}, {@code 64MB}, {@code 512k}, {@code 1T}).
 */
public final class Sizes {
    private static final String UNITS = "KMGT";

    private Sizes() {
    }

    /**
     * The size in bytes. {@code key} only names the setting in the message of the
     * IllegalArgumentException thrown for anything else: empty, negative, not a number, another
     * suffix, or past {@code Long.MAX_VALUE}.
     */
    public static long parse(String key, String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty() && UNITS.indexOf(t.charAt(t.length() - 1)) >= 0) {
            shift = 10 * (UNITS.indexOf(t.charAt(t.length() - 1)) + 1);
            t = t.substring(0, t.length() - 1).trim();
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + text
                    + "' is not a size (bytes, or with a K, M, G or T suffix, e.g. 512M)");
        }
        if (n < 0) {
            throw new IllegalArgumentException(key + ": '" + text + "' is negative");
        }
        if (n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException(key + ": '" + text + "' is too large");
        }
        return n << shift;
    }
}
