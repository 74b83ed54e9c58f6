package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Configuration validation: every error names its key. */
class ExportSettingsTest {
    static Map<String, Object> good() {
        Map<String, Object> m = new HashMap<>();
        m.put("shelf", "1");
        m.put("slot", "2");
        m.put("interfaces", "eth0");
        m.put("file", "/srv/disk.img");
        return m;
    }

    static ExportSettings.Invalid refused(String key, Object value) {
        Map<String, Object> m = good();
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        ExportSettings.Invalid e = assertThrows(ExportSettings.Invalid.class, () -> ExportSettings.parse("x", m),
                key + "=" + value);
        assertEquals(key, e.key, "the error names the key: " + e.getMessage());
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
        return e;
    }

    @Test
    void goodConfigurationAndDefaults() throws Exception {
        ExportSettings s = ExportSettings.parse("x", good());
        assertEquals(1, s.shelf());
        assertEquals(2, s.slot());
        assertEquals(List.of("eth0"), s.interfaces());
        assertEquals(Path.of("/srv/disk.img"), s.file());
        assertFalse(s.readOnly());
        assertFalse(s.direct());
        assertFalse(s.sync());
        assertEquals(0, s.offset());
        assertEquals(0, s.length());
        assertEquals(64, s.bufferCount());
        assertEquals(0, s.allowedMacs().length);
        assertEquals("", s.configString());
        assertEquals("afpacket", s.transport(), "the fast native transport is the default");
        assertTrue(s.enabled());
        assertEquals("e1.2", s.address());
    }

    @Test
    void fullConfiguration() throws Exception {
        Map<String, Object> m = good();
        m.put("interfaces", "eth0, eth1 eth0");
        m.put("read-only", "yes");
        m.put("direct", "on");
        m.put("sync", Boolean.TRUE);
        m.put("offset", "8");
        m.put("length", 16L);
        m.put("buffer-count", "128");
        m.put("allowed-macs", "00:11:22:aa:bb:cc,00-11-22-AA-BB-CD");
        m.put("config-string", "hello");
        m.put("enabled", "false");
        m.put("service.pid", "org.aoede.export.abc");
        m.put("felix.fileinstall.filename", "file:/etc/x.cfg");
        ExportSettings s = ExportSettings.parse("x", m);
        assertEquals(List.of("eth0", "eth1"), s.interfaces());
        assertTrue(s.readOnly() && s.direct() && s.sync());
        assertEquals(8, s.offset());
        assertEquals(16, s.length());
        assertEquals(128, s.bufferCount());
        assertArrayEquals(new long[] {0x001122aabbccL, 0x001122aabbcdL}, s.allowedMacs());
        assertEquals("hello", s.configString());
        assertFalse(s.enabled());
    }

    @Test
    void shelfOutOfRange() {
        refused("shelf", "65535");
        refused("shelf", "-1");
        refused("shelf", 70000);
    }

    @Test
    void shelf4095IsRefused() {
        assertTrue(refused("shelf", "4095").getMessage().contains("4095"));
    }

    @Test
    void shelfNotANumber() {
        assertTrue(refused("shelf", "x").getMessage().contains("'x'"));
        refused("shelf", "1.5");
    }

    @Test
    void shelfMissing() {
        refused("shelf", null);
    }

    @Test
    void slotOutOfRange() {
        refused("slot", "255");
        refused("slot", "-1");
        refused("slot", "z");
        refused("slot", null);
    }

    @Test
    void shelfAndSlotLimitsAccepted() throws Exception {
        Map<String, Object> m = good();
        m.put("shelf", "65534");
        m.put("slot", "254");
        assertEquals("e65534.254", ExportSettings.parse("x", m).address());
        m.put("shelf", "0");
        m.put("slot", "0");
        assertEquals("e0.0", ExportSettings.parse("x", m).address());
    }

    @Test
    void unknownKey() {
        assertTrue(refused("shelff", "1").getMessage().contains("unknown"));
    }

    @Test
    void missingFile() {
        refused("file", null);
        refused("file", "  ");
    }

    @Test
    void missingOrBadInterfaces() {
        refused("interfaces", null);
        refused("interfaces", "eth0 a/b");
        refused("interfaces", "averyveryverylongname0");
    }

    @Test
    void badMac() {
        ExportSettings.Invalid e = refused("allowed-macs", "00:11:22:33:44:55,00:11:22:33:44");
        assertTrue(e.getMessage().contains("00:11:22:33:44"), e.getMessage());
        refused("allowed-macs", "zz:11:22:33:44:55");
        refused("allowed-macs", "00:11-22:33:44:55");
    }

    @Test
    void tooManyMacs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            sb.append(String.format("02:00:00:00:00:%02x,", i));
        }
        refused("allowed-macs", sb.toString());
    }

    @Test
    void configStringOver1024Bytes() throws Exception {
        refused("config-string", "x".repeat(1025));
        refused("config-string", "\u00e9".repeat(513));        // 1026 bytes in UTF-8
        Map<String, Object> m = good();
        m.put("config-string", "x".repeat(1024));
        assertEquals(1024, ExportSettings.parse("x", m).configString().length());
    }

    @Test
    void badBoolean() {
        for (String key : new String[] {"read-only", "direct", "sync", "enabled"}) {
            assertTrue(refused(key, "maybe").getMessage().contains("maybe"));
        }
    }

    @Test
    void badNumbers() {
        refused("offset", "-1");
        refused("length", "abc");
        refused("buffer-count", "0");
        refused("buffer-count", "1025");
    }

    @Test
    void badModelAndSerial() {
        refused("model", "m".repeat(41));
        refused("serial", "s".repeat(21));
        refused("serial", "tab\there");
    }
}
