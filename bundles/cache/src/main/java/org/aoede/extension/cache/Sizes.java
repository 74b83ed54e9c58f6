package org.aoede.extension.cache;

/** Parses sizes as written in a .cfg: bytes, or with a K, M or G suffix (powers of 1024). */
final class Sizes {
    private Sizes() {
    }

    static long parse(String key, String v) {
        String s = v.trim().toUpperCase();
        if (s.endsWith("B")) {
            s = s.substring(0, s.length() - 1);
        }
        long mult = 1;
        if (s.endsWith("K")) {
            mult = 1L << 10;
        } else if (s.endsWith("M")) {
            mult = 1L << 20;
        } else if (s.endsWith("G")) {
            mult = 1L << 30;
        }
        if (mult != 1) {
            s = s.substring(0, s.length() - 1).trim();
        }
        try {
            long n = Long.parseLong(s);
            if (n < 0 || n > Long.MAX_VALUE / mult) {
                throw new IllegalArgumentException(key + " = " + v + ": out of range");
            }
            return n * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = " + v + ": not a size (bytes, or with K, M or G)");
        }
    }
}
