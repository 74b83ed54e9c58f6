package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.aoede.api.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two configurations claiming one shelf.slot: a newcomer never stops the export that answers;
 * when none has answered yet (start-up), none of them starts.
 */
class ClaimTest {
    final ExportRegistry registry = new ExportRegistry();
    final FakeLink link = new FakeLink(0x02_00_00_00_00_01L, 1500);

    ClaimTest() {
        registry.stores = spec -> new MemStore(2048, false);
        registry.activate();
        registry.addTransport(link.transport(), Map.of(Transport.TYPE, "fake"));
    }

    @AfterEach
    void stop() {
        registry.deactivate();
    }

    static ExportComponent component(String name, String file) throws Exception {
        ExportComponent c = new ExportComponent();
        c.pid = "org.aoede.export~" + name;
        c.source = "etc/org.aoede.export-" + name + ".cfg";
        c.name = name;
        Map<String, Object> props = new HashMap<>();
        props.put("shelf", "1");
        props.put("slot", "0");
        props.put("interfaces", "fake0");
        props.put("file", file);
        props.put("transport", "fake");
        c.settings = ExportSettings.parse(name, props);
        return c;
    }

    static void awaitServing(ExportComponent c) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!c.status().equals("serving") && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals("serving", c.status());
    }

    @Test
    void aNewcomerIsRefusedAndTheServingExportGoesOnUntouched() throws Exception {
        ExportComponent demo = component("demo", "/srv/demo.img");
        registry.put(demo);
        awaitServing(demo);
        Export serving = demo.running;

        ExportComponent dup = component("dup", "/srv/other.img");
        registry.put(dup);
        assertSame(serving, demo.running, "the serving export was stopped or restarted");
        assertEquals("serving", demo.status());
        assertNull(dup.running);
        assertTrue(dup.status().startsWith("refused: e1.0 is already served by etc/org.aoede.export-demo.cfg: "
                + "etc/org.aoede.export-dup.cfg refused"), dup.status());

        registry.remove(dup);
        assertSame(serving, demo.running, "removing the newcomer touched the serving export");
        assertEquals("serving", demo.status());
    }

    @Test
    void whenNoneHasAnsweredYetNoneStartsAndRemovingOneLetsTheOtherStart() throws Exception {
        ExportComponent a = component("a", "/srv/a.img");
        ExportComponent b = component("b", "/srv/b.img");
        registry.put(a);                             // still probing when b comes, as at start-up
        registry.put(b);
        assertNull(a.running);
        assertNull(b.running);
        String both = "e1.0 is claimed by etc/org.aoede.export-a.cfg and etc/org.aoede.export-b.cfg";
        assertTrue(a.status().contains(both), a.status());
        assertTrue(b.status().contains(both), b.status());
        Thread.sleep(ExportRegistry.PROBE_MS + 300);       // a probe that was cancelled must not bring it back
        assertNull(a.running);

        registry.remove(a);
        awaitServing(b);
    }
}
