package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.aoede.api.Extension;
import org.aoede.api.Transport;
import org.aoede.protocol.Aoe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An extension coming or going re-advertises the exports it changes, and only those. */
class ReadvertiseTest {
    static final long PORT_MAC = 0x02_00_00_00_00_01L;

    static final class Trailer implements Extension {
        @Override public int trailerBytes() { return 4; }
    }

    private static ExportComponent export(ExportRegistry t, String name, int shelf, String extensions) {
        ExportComponent c = new ExportComponent();
        c.registry = t;
        Map<String, Object> p = new HashMap<>();
        p.put("service.pid", ExportSettings.PID + "." + name);
        p.put("felix.fileinstall.filename", "file:/etc/" + ExportSettings.PID + "-" + name + ".cfg");
        p.put("shelf", String.valueOf(shelf));
        p.put("slot", "0");
        p.put("interfaces", "fake0");
        p.put("file", "/dev/null/not-opened-" + name);
        p.put("transport", "fake");
        if (!extensions.isEmpty()) {
            p.put("extensions", extensions);
        }
        c.activate(p);
        return c;
    }

    /** Advertisements (config replies, not the probe's query) sent for {@code shelf}. */
    private static long adverts(FakeLink l, int shelf) {
        return l.sent.stream().filter(f -> Aoe.command(f) == Aoe.CMD_CONFIG && Aoe.isResponse(f) && Aoe.shelf(f) == shelf).count();
    }

    @Test
    void onlyTheExportsAnExtensionChangesAreReadvertised(@TempDir Path dir) throws Exception {
        String data = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.toString());    // the state files go here
        ExportRegistry t = new ExportRegistry();
        FakeLink link = new FakeLink(PORT_MAC, 1500);
        try {
            t.stores = spec -> new MemStore(64, false);
            Transport fake = (ifname, handler, options) -> link;
            t.addTransport(fake, Map.of(Transport.TYPE, "fake"));
            t.activate();
            ExportComponent a = export(t, "a", 1, "crc");
            ExportComponent b = export(t, "b", 2, "");
            long end = System.currentTimeMillis() + 10_000;
            while (!(adverts(link, 1) > 0 && adverts(link, 2) > 0) && System.currentTimeMillis() < end) {
                Thread.sleep(50);                             // the one-second probe, then the first advertisement
            }
            assertTrue(adverts(link, 1) > 0 && adverts(link, 2) > 0, "both serving and advertised");

            link.sent.clear();
            Extension crc = new Trailer();
            t.addExtension(crc, Map.of(Extension.NAME, "crc"));
            assertEquals(1, adverts(link, 1), "a names crc: new chain, new sector count");
            assertEquals(0, adverts(link, 2), "b does not name it");

            link.sent.clear();
            t.addExtension(new Trailer(), Map.of(Extension.NAME, "tagtrack"));
            assertEquals(0, link.sent.size(), "an extension nobody names changes nothing");

            link.sent.clear();
            t.removeExtension(crc, Map.of(Extension.NAME, "crc"));
            assertEquals(1, adverts(link, 1));
            assertEquals(0, adverts(link, 2));
            assertTrue(a.running != null && b.running != null);
        } finally {
            t.deactivate();
            if (data == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", data);
            }
        }
    }
}
