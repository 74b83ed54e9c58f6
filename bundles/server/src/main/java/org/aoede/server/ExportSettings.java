package org.aoede.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;

/**
 * One export's configuration, parsed and validated from a Config Admin dictionary
 * ({@code etc/org.aoede.export-NAME.cfg}). Keys follow vblade's options where they exist.
 */
public record ExportSettings(
        String name,
        int shelf,
        int slot,
        List<String> interfaces,
        Path file,
        boolean readOnly,
        boolean direct,
        boolean sync,
        long offset,
        long length,
        int bufferCount,
        long[] allowedMacs,
        String configString,
        String transport,
        boolean enabled,
        String model,
        String serial,
        List<String> extensions) {

    public static final String PID = "org.aoede.export";
    public static final int DEFAULT_BUFFER_COUNT = 64;
    /**
     * The transport an export gets unless it names one: native AF_PACKET, about three times
     * pcap's rate here (README, Benchmark). pcap stays available as {@code transport = pcap}.
     */
    public static final String DEFAULT_TRANSPORT = "afpacket";
    public static final int MAX_BUFFER_COUNT = 1024;
    /** Mask list and reservation entries: 64 keeps every list reply under 600 bytes. */
    public static final int MAX_MACS = 64;
    /** Key: seconds of the holder's silence on the LAN before a standby takes an RBD image over. */
    public static final String TAKEOVER_AFTER = "rbd.takeover-after";
    public static final int DEFAULT_TAKEOVER_AFTER = 10;

    /**
     * The keys an export accepts, in display order, with the description the shell and the web
     * console show; anything else is refused (a typo must not go unnoticed).
     */
    public static final Map<String, String> KEYS = keys();

    private static Map<String, String> keys() {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("shelf", "0-65534 (not 4095)");
        k.put("slot", "0-254");
        k.put("interfaces", "network interfaces, comma separated");
        k.put("file", "file or block device to export, or an RBD image: rbd:POOL/IMAGE[:id=USER][:conf=PATH]");
        k.put("read-only", "true/false: refuse writes");
        k.put("direct", "true/false: O_DIRECT, bypass the page cache");
        k.put("sync", "true/false: O_DSYNC, stable before the reply");
        k.put("offset", "window start in sectors");
        k.put("length", "window length in sectors, 0 = to the end");
        k.put("buffer-count", "1-" + MAX_BUFFER_COUNT + ", advertised to initiators");
        k.put("allowed-macs", "MAC mask list: only these hosts get answers (empty = all)");
        k.put("config-string", "initial AoE config string");
        k.put("transport", "afpacket (default: native AF_PACKET) or pcap (libpcap)");
        k.put("enabled", "true/false");
        k.put("model", "IDENTIFY model");
        k.put("serial", "IDENTIFY serial");
        k.put("extensions", "extension bundles this export uses, comma separated (e.g. negotiation, crc)");
        k.put(TAKEOVER_AFTER, "RBD: seconds a standby waits for a silent holder before it breaks the image's lock "
                + "and takes over (default " + DEFAULT_TAKEOVER_AFTER + ")");
        return Collections.unmodifiableMap(k);
    }

    /** Thrown for a bad configuration; the message names the key and the reason. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        public final String key;

        public Invalid(String key, String reason) {
            super(key == null ? reason : "key '" + key + "': " + reason);
            this.key = key;
        }
    }

    /** The address as the Linux driver names it, e.g. {@code e1.0}. */
    public String address() {
        return "e" + shelf + "." + slot;
    }

    public int addressKey() {
        return shelf << 8 | slot;
    }

    public static ExportSettings parse(String name, Map<String, ?> props) throws Invalid {
        List<String> extensions = list(props, "extensions");
        for (String x : extensions) {
            if (!x.matches("[a-z][a-z0-9-]{0,31}")) {
                throw new Invalid("extensions", "'" + x + "' is not an extension name");
            }
        }
        for (String key : props.keySet()) {
            // An extension's own settings are prefixed with its name, e.g. cache.size
            int dot = key.indexOf('.');
            boolean extensionKey = dot > 0 && extensions.contains(key.substring(0, dot));
            if (!KEYS.containsKey(key) && !isFrameworkKey(key) && !extensionKey) {
                throw new Invalid(key, "unknown key (known keys: " + String.join(", ", KEYS.keySet()) + ")");
            }
        }
        int shelf = (int) integer(props, "shelf", -1, 0, 65534);
        if (shelf < 0) {
            throw new Invalid("shelf", "missing (0-65534)");
        }
        if (shelf == 4095) {
            throw new Invalid("shelf", "4095 is ignored by the Linux aoe driver");
        }
        int slot = (int) integer(props, "slot", -1, 0, 254);
        if (slot < 0) {
            throw new Invalid("slot", "missing (0-254)");
        }
        List<String> interfaces = list(props, "interfaces");
        if (interfaces.isEmpty()) {
            throw new Invalid("interfaces", "missing: name one or more network interfaces");
        }
        for (String i : interfaces) {
            if (!i.matches("[A-Za-z0-9_.:@-]{1,15}")) {
                throw new Invalid("interfaces", "'" + i + "' is not an interface name");
            }
        }
        String file = string(props, "file", "");
        if (file.isEmpty()) {
            throw new Invalid("file", "missing: the file or block device to export");
        }
        long offset = integer(props, "offset", 0, 0, Long.MAX_VALUE / 512);
        long length = integer(props, "length", 0, 0, Long.MAX_VALUE / 512);
        int bufferCount = (int) integer(props, "buffer-count", DEFAULT_BUFFER_COUNT, 1, MAX_BUFFER_COUNT);
        List<String> macText = list(props, "allowed-macs");
        if (macText.size() > MAX_MACS) {
            throw new Invalid("allowed-macs", "at most " + MAX_MACS + " addresses");
        }
        long[] macs = new long[macText.size()];
        for (int i = 0; i < macs.length; i++) {
            try {
                macs[i] = Mac.parse(macText.get(i));
            } catch (IllegalArgumentException e) {
                throw new Invalid("allowed-macs", e.getMessage());
            }
        }
        macs = Arrays.stream(macs).distinct().toArray();
        String config = string(props, "config-string", "");
        if (config.getBytes(StandardCharsets.UTF_8).length > Config.MAX_STRING) {
            throw new Invalid("config-string", "longer than " + Config.MAX_STRING + " bytes");
        }
        integer(props, TAKEOVER_AFTER, DEFAULT_TAKEOVER_AFTER, 1, 3600);
        String transport = string(props, "transport", DEFAULT_TRANSPORT);
        String model = string(props, "model", "AoEde virtual disk");
        if (model.length() > 40 || !model.matches("[\\x20-\\x7e]*")) {
            throw new Invalid("model", "at most 40 printable ASCII characters");
        }
        String serial = string(props, "serial", "AOEDE-" + shelf + "-" + slot);
        if (serial.length() > 20 || !serial.matches("[\\x20-\\x7e]*")) {
            throw new Invalid("serial", "at most 20 printable ASCII characters");
        }
        return new ExportSettings(name, shelf, slot, List.copyOf(interfaces), Path.of(file),
                bool(props, "read-only", false), bool(props, "direct", false), bool(props, "sync", false),
                offset, length, bufferCount, macs, config, transport, bool(props, "enabled", true), model, serial,
                List.copyOf(extensions));
    }

    /** {@link #TAKEOVER_AFTER} of a configuration that {@link #parse} accepted, in milliseconds. */
    static long takeoverAfterMs(Map<String, ?> props) {
        try {
            return integer(props, TAKEOVER_AFTER, DEFAULT_TAKEOVER_AFTER, 1, 3600) * 1000;
        } catch (Invalid e) {
            return DEFAULT_TAKEOVER_AFTER * 1000L;
        }
    }

    /** Keys Config Admin, FileInstall and DS add to every configuration. */
    static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.")
                || key.startsWith("osgi.") || key.equals("objectClass");
    }

    private static String string(Map<String, ?> p, String key, String def) throws Invalid {
        Object v = p.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof String[] a) {
            return String.join(",", a);
        }
        return v.toString().trim();
    }

    private static List<String> list(Map<String, ?> p, String key) throws Invalid {
        Object v = p.get(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        Iterable<?> items = v instanceof String[] a ? Arrays.asList(a)
                : v instanceof Iterable<?> it ? it : List.of(v.toString().split("[,\\s]+"));
        for (Object o : items) {
            String s = o.toString().trim();
            if (!s.isEmpty() && !out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static long integer(Map<String, ?> p, String key, long def, long min, long max) throws Invalid {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return def;
        }
        long n;
        try {
            n = v instanceof Number num ? num.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new Invalid(key, "'" + v + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new Invalid(key, n + " is out of range " + min + "-" + max);
        }
        return n;
    }

    private static boolean bool(Map<String, ?> p, String key, boolean def) throws Invalid {
        Object v = p.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase();
        if (s.equals("true") || s.equals("yes") || s.equals("on")) {
            return true;
        }
        if (s.equals("false") || s.equals("no") || s.equals("off")) {
            return false;
        }
        throw new Invalid(key, "'" + v + "' is not true or false");
    }

    /** Same address on the same transport: a change of anything else needs no new probe. */
    public boolean sameAddress(ExportSettings o) {
        return o != null && shelf == o.shelf && slot == o.slot && transport.equals(o.transport);
    }

    /** Settings that need the store reopened or the address re-probed. */
    public boolean sameIdentity(ExportSettings o) {
        return o != null && shelf == o.shelf && slot == o.slot && file.equals(o.file) && readOnly == o.readOnly
                && direct == o.direct && sync == o.sync && offset == o.offset && length == o.length
                && transport.equals(o.transport) && model.equals(o.model) && serial.equals(o.serial);
    }
}
