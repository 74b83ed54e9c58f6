package org.aoede.store.rbd;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.aoede.api.StoreSpec.Invalid;

/**
 * An export's {@code file} naming an RBD image, in qemu's syntax:
 * {@code rbd:POOL/IMAGE[:id=USER][:conf=PATH][:keyring=PATH]}. A backslash escapes a colon or a
 * backslash inside a value. Snapshots ({@code @SNAP}), namespaces and other qemu options are
 * refused by name, so an operator knows what is not supported rather than getting a different image.
 *
 * @param pool    the pool
 * @param image   the image in the pool
 * @param id      the Ceph user without {@code client.} ({@code admin} if not given)
 * @param conf    the cluster's configuration file ({@code /etc/ceph/ceph.conf} if not given)
 * @param keyring a keyring file, or null for the one the configuration names
 */
public record RbdSpec(String pool, String image, String id, Path conf, Path keyring) {
    public static final String SCHEME = "rbd:";
    public static final String DEFAULT_ID = "admin";
    public static final Path DEFAULT_CONF = Path.of("/etc/ceph/ceph.conf");
    /** Ceph's rules for pool names are loose; these are what a .cfg line can carry unambiguously. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.+-]{1,250}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String SYNTAX = "expected rbd:POOL/IMAGE[:id=USER][:conf=PATH][:keyring=PATH]";

    public static boolean isRbd(String file) {
        return file.startsWith(SCHEME);
    }

    /** Parses {@code file}; every malformed form is refused naming key {@code file} and what is wrong. */
    public static RbdSpec parse(String file) throws Invalid {
        if (file == null || !isRbd(file)) {
            throw new Invalid("file", "'" + file + "' is not an RBD image: " + SYNTAX);
        }
        java.util.List<String> parts = split(file.substring(SCHEME.length()), file);
        String name = parts.get(0);
        if (name.isEmpty()) {
            throw new Invalid("file", "'" + file + "' names no image: " + SYNTAX);
        }
        if (name.indexOf('@') >= 0) {
            throw new Invalid("file", "'" + file + "': snapshots (@SNAP) are not supported; export the image itself");
        }
        String[] pi = name.split("/", -1);
        if (pi.length == 1) {
            throw new Invalid("file", "'" + file + "' names no pool: " + SYNTAX);
        }
        if (pi.length > 2) {
            throw new Invalid("file", "'" + file + "': namespaces (POOL/NAMESPACE/IMAGE) are not supported: " + SYNTAX);
        }
        String pool = pi[0];
        String image = pi[1];
        if (!NAME.matcher(pool).matches()) {
            throw new Invalid("file", "'" + file + "': " + (pool.isEmpty() ? "empty pool name"
                    : "pool '" + pool + "' has characters other than letters, digits, _ . + -"));
        }
        if (!NAME.matcher(image).matches()) {
            throw new Invalid("file", "'" + file + "': " + (image.isEmpty() ? "empty image name"
                    : "image '" + image + "' has characters other than letters, digits, _ . + -"));
        }
        String id = null;
        Path conf = null;
        Path keyring = null;
        for (String opt : parts.subList(1, parts.size())) {
            int eq = opt.indexOf('=');
            if (eq <= 0) {
                throw new Invalid("file", "'" + file + "': option '" + opt + "' is not KEY=VALUE: " + SYNTAX);
            }
            String key = opt.substring(0, eq);
            String value = opt.substring(eq + 1);
            if (value.isEmpty()) {
                throw new Invalid("file", "'" + file + "': option '" + key + "' has no value");
            }
            switch (key) {
                case "id" -> {
                    if (id != null) {
                        throw new Invalid("file", "'" + file + "': option 'id' given twice");
                    }
                    if (value.startsWith("client.")) {
                        throw new Invalid("file", "'" + file + "': id is the user without 'client.' (id="
                                + value.substring("client.".length()) + ")");
                    }
                    if (!USER.matcher(value).matches()) {
                        throw new Invalid("file", "'" + file + "': user '" + value
                                + "' has characters other than letters, digits, _ . -");
                    }
                    id = value;
                }
                case "conf" -> {
                    if (conf != null) {
                        throw new Invalid("file", "'" + file + "': option 'conf' given twice");
                    }
                    conf = absolute(file, key, value);
                }
                case "keyring" -> {
                    if (keyring != null) {
                        throw new Invalid("file", "'" + file + "': option 'keyring' given twice");
                    }
                    keyring = absolute(file, key, value);
                }
                default -> throw new Invalid("file", "'" + file + "': option '" + key
                        + "' is not supported (id, conf and keyring are; put other Ceph settings in the conf file)");
            }
        }
        return new RbdSpec(pool, image, id == null ? DEFAULT_ID : id, conf == null ? DEFAULT_CONF : conf, keyring);
    }

    private static Path absolute(String file, String key, String value) throws Invalid {
        if (!value.startsWith("/")) {
            throw new Invalid("file", "'" + file + "': " + key + " must be an absolute path, not '" + value + "'");
        }
        return Path.of(value);
    }

    /** Splits at unescaped colons, undoing {@code \:} and {@code \\}. */
    private static java.util.List<String> split(String s, String file) throws Invalid {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 == s.length()) {
                    throw new Invalid("file", "'" + file + "' ends with a lone backslash");
                }
                b.append(s.charAt(++i));
            } else if (c == ':') {
                out.add(b.toString());
                b.setLength(0);
            } else {
                b.append(c);
            }
        }
        out.add(b.toString());
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).isEmpty()) {
                throw new Invalid("file", "'" + file + "' has an empty option (two colons or a trailing colon)");
            }
        }
        return out;
    }

    /** The user as Ceph names it. */
    public String client() {
        return "client." + id;
    }

    /** The canonical form: what {@link #parse} accepts and what the store describes itself as. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(SCHEME).append(pool).append('/').append(image);
        if (!id.equals(DEFAULT_ID)) {
            b.append(":id=").append(id);
        }
        if (!conf.equals(DEFAULT_CONF)) {
            b.append(":conf=").append(conf.toString().replace("\\", "\\\\").replace(":", "\\:"));
        }
        if (keyring != null) {
            b.append(":keyring=").append(keyring.toString().replace("\\", "\\\\").replace(":", "\\:"));
        }
        return b.toString();
    }
}
