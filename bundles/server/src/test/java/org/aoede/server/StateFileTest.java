package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The throttled, atomic state file and the configured-value-changed-wins rule. */
class StateFileTest {
    @TempDir
    Path dir;
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final long A = 0x0200_0000_0001L, B = 0x0200_0000_0002L, C = 0x0200_0000_0003L;

    Path file() {
        return dir.resolve("sub").resolve("e.state");
    }

    static long lastWrite(StateFile sf) throws Exception {
        Field f = StateFile.class.getDeclaredField("lastWrite");
        f.setAccessible(true);
        synchronized (sf) {
            return f.getLong(sf);
        }
    }

    @Test
    void loadWithoutFileStartsFromConfiguredValuesAndWritesAtOnce() throws Exception {
        StateFile sf = new StateFile(file(), timer);
        LiveState live = sf.load(new StateFile.Configured("cfg", new long[] {A}));
        assertArrayEquals(b("cfg"), live.configString());
        assertArrayEquals(new long[] {A}, live.mask());
        assertEquals(0, live.reservation().length);
        assertTrue(Files.exists(file()), "directories created, state written");
    }

    @Test
    void reloadAfterRestart() throws Exception {
        StateFile.Configured cfg = new StateFile.Configured("cfg", new long[] {A});
        StateFile sf = new StateFile(file(), timer);
        LiveState live = sf.load(cfg);
        LiveState wire = live.withConfig(b("from the wire \u00e9\n=:#")).withMask(new long[] {A, B})
                .withReservation(new long[] {C});
        sf.save(wire);
        sf.close();
        StateFile again = new StateFile(file(), timer);
        assertEquals(wire, again.load(cfg));
    }

    @Test
    void changedConfiguredValueWinsUnchangedKeepsWireValue() throws Exception {
        StateFile sf = new StateFile(file(), timer);
        LiveState live = sf.load(new StateFile.Configured("cfg", new long[] {A}));
        sf.save(live.withConfig(b("wire")).withMask(new long[] {B}).withReservation(new long[] {C}));
        sf.close();

        // the operator changed the config string only: it wins; the wire's mask stays
        LiveState l2 = new StateFile(file(), timer).load(new StateFile.Configured("new cfg", new long[] {A}));
        assertArrayEquals(b("new cfg"), l2.configString());
        assertArrayEquals(new long[] {B}, l2.mask());
        assertArrayEquals(new long[] {C}, l2.reservation());

        // now only the mask changes in the .cfg: the configured mask wins, the config string stays
        StateFile sf3 = new StateFile(file(), timer);
        LiveState l3 = sf3.load(new StateFile.Configured("new cfg", new long[] {C}));
        assertArrayEquals(b("new cfg"), l3.configString());
        assertArrayEquals(new long[] {C}, l3.mask());
        sf3.save(l3.withConfig(b("wire 2")));
        sf3.close();

        // nothing changed in the .cfg: the wire's values survive
        LiveState l4 = new StateFile(file(), timer).load(new StateFile.Configured("new cfg", new long[] {C}));
        assertArrayEquals(b("wire 2"), l4.configString());
        assertArrayEquals(new long[] {C}, l4.mask());
    }

    @Test
    void configuredRecordedAfterALiveEditIsTheNewBaseline() throws Exception {
        StateFile sf = new StateFile(file(), timer);
        LiveState live = sf.load(new StateFile.Configured("old", new long[0]));
        live = live.withConfig(b("new"));
        sf.configured(new StateFile.Configured("new", new long[0]), live);
        sf.save(live.withConfig(b("wire")));
        sf.close();
        LiveState again = new StateFile(file(), timer).load(new StateFile.Configured("new", new long[0]));
        assertArrayEquals(b("wire"), again.configString());
    }

    @Test
    void unreadableStateFileFallsBackToConfiguredValues() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "mask=not a mac\nconfig-string=@@@\n");
        LiveState live = new StateFile(file(), timer).load(new StateFile.Configured("cfg", new long[0]));
        assertArrayEquals(b("cfg"), live.configString());
    }

    @Test
    void burstOfSavesIsThrottledAndTheLastOneWins() throws Exception {
        StateFile sf = new StateFile(file(), timer);
        LiveState live = sf.load(new StateFile.Configured("", new long[0]));
        List<Long> writes = new ArrayList<>();
        long last = lastWrite(sf);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            sf.save(live.withConfig(b("v" + i)));
            long lw = lastWrite(sf);
            if (lw != last) {
                writes.add(lw);
                last = lw;
            }
            Thread.sleep(0, 500_000);
            if (i % 2 == 0) {
                Thread.sleep(1);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(StateFile.MIN_INTERVAL_MS + 200);
        long lw = lastWrite(sf);
        if (lw != last) {
            writes.add(lw);
        }
        // at most one write per 250 ms, plus one at either end
        long allowed = (long) Math.ceil(seconds * 1000 / StateFile.MIN_INTERVAL_MS) + 2;
        assertTrue(writes.size() <= allowed, writes.size() + " writes in " + seconds + " s (allowed " + allowed + ")");
        assertTrue(writes.size() >= 1, "the burst was written");
        for (int i = 1; i < writes.size(); i++) {
            assertTrue(writes.get(i) - writes.get(i - 1) >= StateFile.MIN_INTERVAL_MS - 5,
                    "writes " + (writes.get(i) - writes.get(i - 1)) + " ms apart");
        }
        StateFile reread = new StateFile(file(), timer);
        assertArrayEquals(b("v999"), reread.load(new StateFile.Configured("", new long[0])).configString(),
                "the last state reached the file");
    }

    @Test
    void writesAreAtomicForConcurrentReaders() throws Exception {
        StateFile sf = new StateFile(file(), timer);
        LiveState live = sf.load(new StateFile.Configured("", new long[0]));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!stop.get() && problem.get() == null) {
                try (InputStream in = Files.newInputStream(file())) {
                    Properties p = new Properties();
                    p.load(in);
                    for (String k : new String[] {"config-string", "mask", "reservation", "configured.config-string"}) {
                        if (p.getProperty(k) == null) {
                            problem.set("missing " + k + " in " + p);
                        }
                    }
                    String text = p.getProperty("config-string.text");
                    if (text == null || !(text.startsWith("state ") && text.endsWith(" end"))) {
                        problem.set("torn: " + text);
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    problem.set("file missing during replace");
                } catch (Exception e) {
                    problem.set(e.toString());
                }
            }
        });
        sf.save(live.withConfig(b("state 0 end")));
        sf.close();
        reader.start();
        String big = "y".repeat(1000);
        for (int i = 1; i <= 12; i++) {
            sf.save(live.withConfig(b("state " + i + big + " end")));
            Thread.sleep(StateFile.MIN_INTERVAL_MS / 4);
            sf.close();                                // forces the pending write
        }
        stop.set(true);
        reader.join();
        assertEquals(null, problem.get());
        try (var files = Files.list(file().getParent())) {
            assertEquals(List.of(file()), files.toList(), "no temporary file left behind");
        }
        assertFalse(Files.exists(file().resolveSibling("e.state.tmp")));
    }

    @Test
    void unchangedStateIsNotRewritten() throws Exception {
        StateFile sf = new StateFile(file(), timer);
        LiveState live = sf.load(new StateFile.Configured("a", new long[0]));
        long first = lastWrite(sf);
        Thread.sleep(StateFile.MIN_INTERVAL_MS + 20);
        sf.save(live);
        sf.save(new LiveState(b("a"), new long[0], new long[0]));
        sf.close();
        assertEquals(first, lastWrite(sf));
    }
}
