package org.aoede.api;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON writer of the appliance (the web console's data and the shell's {@code --json}),
 * and the JSON shape of {@link ExportInfo}, {@link PortInfo} and {@link ExportStats}, so that
 * scripts and the page see the same field names. No library: the output is small and plain.
 */
public final class Json {
    private Json() {
    }

    /** A JSON string literal; also escapes {@code < > &} so the text is safe inside HTML/script too. */
    public static String string(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** JSON of null, String, Number, Boolean, Map (string keys), Collection, long[]; anything else as its string. */
    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            sb.append(string(s));
        } else if (v instanceof Double d) {
            sb.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ",").append(string(String.valueOf(e.getKey()))).append(':');
                write(sb, e.getValue());
                first = false;
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                sb.append(first ? "" : ",");
                write(sb, o);
                first = false;
            }
            sb.append(']');
        } else if (v instanceof long[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ",").append(a[i]);
            }
            sb.append(']');
        } else {
            sb.append(string(v.toString()));
        }
    }

    // ---- the shapes --------------------------------------------------------------------

    /** An export: name, source, settings (the .cfg), state (typed), up, detail, status, refusedEdit, address, sectors, live, clients (MAC: epoch ms), stats. */
    public static Map<String, Object> export(ExportInfo e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("source", e.source());
        m.put("settings", e.settings() == null ? Map.of() : e.settings());
        m.put("state", e.state().label());           // typed: serving, probing, waiting, refused, ...
        m.put("up", e.state().answers());
        m.put("detail", e.detail());
        m.put("status", e.status());                 // state and detail as one line
        m.put("refusedEdit", e.refusedEdit());
        m.put("address", e.address());
        m.put("sectors", e.sectors());
        Map<String, Object> live = new LinkedHashMap<>();
        if (e.live() != null) {
            live.put("configString", e.live().configString());
            live.put("mask", e.live().mask());
            live.put("reservation", e.live().reservation());
        }
        m.put("live", live);
        m.put("clients", e.clients() == null ? Map.of() : e.clients());
        m.put("stats", stats(e.stats()));
        return m;
    }

    /**
     * Counters, errors, drops and other counters (info) by kind, and the latency: {@code p50Micros}/{@code p99Micros} are
     * the upper bounds of the histogram buckets holding them (null without samples, -1 past the
     * last bound), {@code latency} the histogram itself.
     */
    public static Map<String, Object> stats(ExportStats s) {
        Map<String, Object> st = new LinkedHashMap<>();
        if (s == null) {
            return st;
        }
        st.put("requests", s.requests());
        st.put("reads", s.reads());
        st.put("writes", s.writes());
        st.put("bytesRead", s.bytesRead());
        st.put("bytesWritten", s.bytesWritten());
        st.put("errors", s.errors() == null ? Map.of() : s.errors());
        st.put("drops", s.drops() == null ? Map.of() : s.drops());
        st.put("info", s.info() == null ? Map.of() : s.info());
        st.put("duplicates", s.duplicates());
        if (s.latency() != null) {
            st.put("latencyCount", s.latency().total());
            st.put("p50Micros", micros(s.latency(), 0.5));
            st.put("p99Micros", micros(s.latency(), 0.99));
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("boundsMicros", s.latency().boundsMicros());
            h.put("counts", s.latency().counts());
            st.put("latency", h);
        }
        return st;
    }

    private static Long micros(ExportStats.Latency l, double q) {
        long v = l.quantileMicros(q);
        return v < 0 ? null : v == Long.MAX_VALUE ? -1L : v;
    }

    /** An interface: name, transport, up, mac, mtu, maxSectors, exports, frame counters, stats. */
    /** The freeze extension's state of an export: state (NORMAL, FROZEN, MERGING), shadow, shadowSectors, limitSectors, percent. */
    public static Map<String, Object> freeze(Freezer.Status z) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("state", z.state().name());
        f.put("shadow", z.shadow());
        f.put("shadowSectors", z.shadowSectors());
        f.put("limitSectors", z.limitSectors());
        f.put("percent", z.percent());
        return f;
    }

    public static Map<String, Object> port(PortInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("transport", p.transport());
        m.put("up", p.up());
        m.put("mac", p.mac());
        m.put("mtu", p.mtu());
        m.put("maxSectors", p.maxSectors());
        m.put("exports", p.exports());
        m.put("framesIn", p.framesIn());
        m.put("framesOut", p.framesOut());
        m.put("sendFailures", p.sendFailures());
        m.put("ignored", p.ignored());
        m.put("stats", stats(p.stats()));
        return m;
    }
}
