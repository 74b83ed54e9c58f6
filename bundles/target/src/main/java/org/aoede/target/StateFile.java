package org.aoede.target;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("state file {} is unreadable ({}); starting from the configured values", path, e.getMessage());
            }
        }
        configured = now;
        written = null;
        save(live);
        return live;
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
        Properties p = new Properties();
        p.setProperty("config-string", Base64.getEncoder().encodeToString(s.configString()));
        p.setProperty("config-string.text", new String(s.configString(), StandardCharsets.UTF_8));
        p.setProperty("mask", format(s.mask()));
        p.setProperty("reservation", format(s.reservation()));
        if (configured != null) {
            p.setProperty("configured.config-string", configured.configString());
            p.setProperty("configured.allowed-macs", format(configured.mask()));
        }
        try {
            Files.createDirectories(path.getParent());
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "AoEde export state: changed by initiators over the wire. Do not edit while running.");
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            written = s;
            lastWrite = System.currentTimeMillis();
        } catch (IOException e) {
            LOG.warn("cannot write state file {}: {}", path, e.toString());
        }
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
