package org.aoede.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;


/** Formatting and argument helpers shared by the commands (plain Java, unit-tested). */
final class Fmt {
    private Fmt() {
    }

    /** Bytes as B, KiB, MiB, GiB, TiB with one decimal. */
    static String bytes(long n) {
        if (n < 0) {
            return "-";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** The size of an export from its sector count (-1 while closed). */
    static String size(long sectors) {
        return sectors < 0 ? "-" : bytes(sectors * 512);
    }

    /** Counters by kind, e.g. {@code ata-idnf=2 aoe-2=1}; "0" when there are none. */
    static String kinds(Map<String, Long> byKind) {
        if (byKind == null || byKind.values().stream().allMatch(v -> v == 0)) {
            return "0";
        }
        return byKind.entrySet().stream().filter(e -> e.getValue() != 0)
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    static long sum(Map<String, Long> byKind) {
        return byKind == null ? 0 : byKind.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A MAC list for display; {@code empty} when it has no entries. */
    static String macs(Collection<String> macs, String empty) {
        return macs == null || macs.isEmpty() ? empty : String.join(", ", macs);
    }

    /** A list value of the .cfg (comma and/or blank separated) as its entries. */
    static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return new ArrayList<>();
        }
        return new ArrayList<>(Arrays.asList(value.trim().split("[,\\s]+")));
    }

    /** A MAC address in one spelling (lower case, colons), for comparing lists. */
    static String mac(String s) {
        String hex = s.trim().toLowerCase(Locale.ROOT).replaceAll("[:.-]", "");
        if (!hex.matches("[0-9a-f]{12}")) {
            return s.trim();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 12; i += 2) {
            sb.append(i == 0 ? "" : ":").append(hex, i, i + 2);
        }
        return sb.toString();
    }

    static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
