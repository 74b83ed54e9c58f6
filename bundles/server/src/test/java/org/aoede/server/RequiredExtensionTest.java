package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An extension required by an export's state (ExportHandle.require): persisted, and silence while it is missing. */
class RequiredExtensionTest {

    @Test
    void requiredExtensionsArePersistedAtOnceAndSurviveAReload(@TempDir Path dir) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            Path p = dir.resolve("e.state");
            StateFile sf = new StateFile(p, timer);
            StateFile.Configured cfg = new StateFile.Configured("", new long[0]);
            sf.load(cfg);
            sf.save(LiveState.EMPTY.withConfig(new byte[] {'x'}));   // a throttled change pending
            sf.required(Set.of("freeze"));
            assertTrue(Files.readString(p).contains("required-extensions=freeze"), "on disk when required() returns");
            StateFile again = new StateFile(p, timer);
            again.load(cfg);
            assertEquals(Set.of("freeze"), again.required());
            again.required(Set.of());
            StateFile third = new StateFile(p, timer);
            third.load(cfg);
            assertEquals(Set.of(), third.required());
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void anExportWaitingForARequiredExtensionAnswersNothing(@TempDir Path dir) throws Exception {
        try (Harness h = new Harness(dir, 1500, 64, false)) {
            var read = Harness.read(5, 0, 1);
            assertNotNull(h.handle(read.duplicate(), false));
            h.export.waitingFor(List.of("freeze"));
            long before = h.export.stats.snapshot().drops().get("stopped");
            assertNull(h.handle(read.duplicate(), false), "silent while a required extension is missing");
            assertEquals(before + 1, h.export.stats.snapshot().drops().get("stopped"));
            h.export.waitingFor(List.of());
            assertNotNull(h.handle(read.duplicate(), false));
        }
    }
}
