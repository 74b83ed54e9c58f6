package org.aoede.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.aoede.protocol.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An export's live state on disk ({@code data/aoede/exports/NAME.state}). It also records the
 * configured values the live state started from: when the operator edits one in the .cfg, the
 * new configured value wins over what the wire set before.
 * Writes are atomic (temp file + rename), only on change, and at most every {@link #MIN_INTERVAL_MS}.
 */
final class StateFile {
    private static final Logger LOG = LoggerFactory.getLogger(StateFile.class);
    static final long MIN_INTERVAL_MS = 250;

    private final Path path;
    private final ScheduledExecutorService timer;
    private LiveState pending;
    private LiveState written;
    private Configured configured;
    private long lastWrite;
    private boolean scheduled;
    /** Extensions the export must not serve without (set by extensions through ExportHandle.require). */
    private java.util.Set<String> required = java.util.Set.of();

    /** The operator's values from the .cfg that the live state was derived from. */
    record Configured(String configString, long[] mask) {
        boolean sameConfig(Configured o) {
            return o != null && configString.equals(o.configString);
        }

        boolean sameMask(Configured o) {
            return o != null && java.util.Arrays.equals(mask, o.mask);
        }
    }

    StateFile(Path path, ScheduledExecutorService timer) {
        this.path = path;
        this.timer = timer;
    }

    /** The target's timer (also the export's I/O watchdog, see AsyncIo). */
    ScheduledExecutorService timer() {
        return timer;
    }

    Path path() {
        return path;
    }

    /**
     * Loads the saved state and reconciles it with the configured values: a configured value
     * that changed since the state was saved replaces the live one.
     */
    synchronized LiveState load(Configured now) {
        LiveState live = new LiveState(now.configString().getBytes(StandardCharsets.UTF_8), now.mask(), new long[0]);
        if (Files.exists(path)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(path)) {
                p.load(in);
                Configured then = new Configured(p.getProperty("configured.config-string", ""),
                        macs(p.getProperty("configured.allowed-macs", "")));
                byte[] cfg = Base64.getDecoder().decode(p.getProperty("config-string", ""));
                long[] mask = macs(p.getProperty("mask", ""));
                long[] res = macs(p.getProperty("reservation", ""));
                live = new LiveState(now.sameConfig(then) ? cfg : live.configString(),
                        now.sameMask(then) ? mask : live.mask(), res);
                required = names(p.getProperty("required-extensions", ""));
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("state file {} is unreadable ({}); starting from the configured values", path, e.getMessage());
            }
        }
        configured = now;
        written = null;
        save(live);
        return live;
    }

    synchronized java.util.Set<String> required() {
        return required;
    }

    /** Changes the required extensions and writes the file now (the caller relies on it being on disk). */
    synchronized void required(java.util.Set<String> names) throws IOException {
        LiveState s = pending != null ? pending : written;
        if (s == null) {
            throw new IOException("state of " + path + " not loaded");
        }
        java.util.Set<String> was = required;
        required = java.util.Set.copyOf(names);
        pending = null;
        try {
            write(s);
        } catch (IOException e) {
            required = was;
            throw e;
        }
    }

    /** Records the operator's configured values (after a .cfg edit) and saves. */
    synchronized void configured(Configured now, LiveState live) {
        configured = now;
        written = null;
        save(live);
    }

    /** Saves soon: at once if the last write is old enough, else once the interval has passed. */
    synchronized void save(LiveState state) {
        if (state.equals(written) && pending == null) {
            return;
        }
        pending = state;
        if (scheduled) {
            return;
        }
        long wait = lastWrite + MIN_INTERVAL_MS - System.currentTimeMillis();
        if (wait <= 0) {
            writeNow();
        } else {
            scheduled = true;
            timer.schedule(this::flushScheduled, wait, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void flushScheduled() {
        scheduled = false;
        if (pending != null) {
            writeNow();
        }
    }

    /** Writes any pending state now (on stop). */
    synchronized void close() {
        if (pending != null) {
            writeNow();
        }
    }

    private void writeNow() {
        LiveState s = pending;
        pending = null;
        if (s.equals(written)) {
            return;
        }
        try {
            write(s);
        } catch (IOException e) {
            LOG.warn("cannot write state file {}: {}", path, e.toString());
        }
    }

    private void write(LiveState s) throws IOException {
        Properties p = new Properties();
        p.setProperty("config-string", Base64.getEncoder().encodeToString(s.configString()));
        p.setProperty("config-string.text", new String(s.configString(), StandardCharsets.UTF_8));
        p.setProperty("mask", format(s.mask()));
        p.setProperty("reservation", format(s.reservation()));
        if (configured != null) {
            p.setProperty("configured.config-string", configured.configString());
            p.setProperty("configured.allowed-macs", format(configured.mask()));
        }
        if (!required.isEmpty()) {
            p.setProperty("required-extensions", String.join(",", new java.util.TreeSet<>(required)));
        }
        Files.createDirectories(path.getParent());
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(ch);
            p.store(out, "AoEde export state: changed by initiators over the wire. Do not edit while running.");
            out.flush();
            if (!required.isEmpty()) {
                ch.force(true);                     // an extension relies on it surviving a crash
            }
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (!required.isEmpty()) {
            // the rename itself is durable only once the directory is: else a crash could bring
            // back the old file, without the mark, and the export would serve without its extension
            try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
        written = s;
        lastWrite = System.currentTimeMillis();
    }

    static java.util.Set<String> names(String text) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String n : text.split(",")) {
            if (!n.isBlank()) {
                out.add(n.trim());
            }
        }
        return java.util.Set.copyOf(out);
    }

    static String format(long[] macs) {
        List<String> s = new ArrayList<>();
        for (long m : macs) {
            s.add(Mac.format(m));
        }
        return String.join(",", s);
    }

    static long[] macs(String text) {
        if (text == null || text.isBlank()) {
            return new long[0];
        }
        String[] parts = text.split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Mac.parse(parts[i]);
        }
        return out;
    }
}
