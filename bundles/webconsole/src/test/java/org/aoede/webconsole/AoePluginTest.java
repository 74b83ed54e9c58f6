package org.aoede.webconsole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.aoede.api.ExportAdmin;
import org.aoede.api.ExportInfo;
import org.aoede.api.ExportState;
import org.aoede.api.ExportStats;
import org.aoede.api.PortInfo;
import org.junit.jupiter.api.Test;

class AoePluginTest {
    @Test
    void htmlEscapesEverythingThatMatters() {
        assertEquals("&lt;script&gt;&amp;&quot;&#39;x", Text.html("<script>&\"'x"));
        assertEquals("", Text.html(null));
    }

    static class Fake implements ExportAdmin {
        final List<String> calls = new ArrayList<>();
        List<String> warnings = List.of();

        @Override public List<ExportInfo> exports() { return List.of(); }
        @Override public Optional<ExportInfo> export(String name) { return Optional.empty(); }
        @Override public List<PortInfo> ports() { return List.of(); }
        @Override public Map<String, String> keys() { return Map.of("shelf", "0-65534"); }
        @Override public List<String> create(String name, Map<String, String> s) throws Refused {
            if (s.containsKey("bogus")) {
                throw new Refused("unknown key 'bogus'");
            }
            calls.add("create " + name + " " + s);
            return warnings;
        }
        @Override public List<String> check(String name, Map<String, String> s) { return warnings; }
        @Override public List<String> update(String name, Map<String, String> c) {
            calls.add("update " + name + " " + c);
            return warnings;
        }
        @Override public void delete(String name) { calls.add("delete " + name); }
        @Override public void reserve(String name, List<String> macs) { calls.add("reserve " + name + " " + macs); }
        @Override public void resetLive(String name) { calls.add("reset " + name); }
    }

    @Test
    void defaultsFillInTheKeysTheyDependOn() {
        assertEquals("AOEDE-7-3", AoePlugin.fill("AOEDE-{shelf}-{slot}", Map.of("shelf", "7", "slot", " 3")));
        assertEquals("AOEDE-7-{slot}", AoePlugin.fill("AOEDE-{shelf}-{slot}", Map.of("shelf", "7", "slot", "")));
        assertEquals("a$1\\b", AoePlugin.fill("{x}", Map.of("x", "a$1\\b")), "values are not patterns");
        assertEquals("64", AoePlugin.fill("64", Map.of()));
        Map<String, String> d = new LinkedHashMap<>();
        d.put("buffer-count", "64");
        d.put("serial", "AOEDE-{shelf}-{slot}");
        assertEquals(Map.of("buffer-count", "64", "serial", "AOEDE-1-2"), AoePlugin.defaults(d, Map.of("shelf", "1", "slot", "2")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void dataCarriesStateDetailAndTheDefaultsInEffectPerExport() {
        ExportInfo refused = new ExportInfo("b", "etc/org.aoede.export-b.cfg", Map.of("shelf", "1", "slot", "0"),
                ExportState.REFUSED, "e1.0 is already served by etc/org.aoede.export-a.cfg", "", "e1.0", -1,
                new ExportInfo.Live("", List.of(), List.of()), Map.of(),
                new ExportStats(5, 2, 3, 1024, 1536, Map.of(), Map.of(), Map.of(), 0, null));
        Fake f = new Fake() {
            @Override public List<ExportInfo> exports() { return List.of(refused); }
            @Override public Map<String, String> defaults() { return Map.of("serial", "AOEDE-{shelf}-{slot}"); }
        };
        var x = ((List<Map<String, Object>>) AoePlugin.data(f).get("exports")).get(0);
        assertEquals("refused", x.get("state"));
        assertEquals(false, x.get("up"));
        assertEquals("refused: e1.0 is already served by etc/org.aoede.export-a.cfg", x.get("status"));
        assertEquals(Map.of("serial", "AOEDE-1-0"), x.get("defaults"));
        var st = (Map<String, Object>) x.get("stats");
        assertEquals(List.of(2L, 3L, 1024L, 1536L), List.of(st.get("reads"), st.get("writes"), st.get("bytesRead"), st.get("bytesWritten")),
                "the counters the page computes its rates from");
    }

    @Test
    void actionsMapOntoExportAdmin() throws Exception {
        Fake f = new Fake();
        AoePlugin.act(f, null, "create", "a", Map.of("shelf", "1"));
        AoePlugin.act(f, null, "disable", "a", Map.of());
        AoePlugin.act(f, null, "enable", "a", Map.of());
        AoePlugin.act(f, null, "reserve", "a", Map.of("reservation", "00:11:22:33:44:55, 00:11:22:33:44:56"));
        AoePlugin.act(f, null, "reset-live", "a", Map.of());
        AoePlugin.act(f, null, "delete", "a", Map.of());
        assertEquals(List.of("create a {shelf=1}", "update a {enabled=false}", "update a {enabled=null}",
                "reserve a [00:11:22:33:44:55, 00:11:22:33:44:56]", "reset a", "delete a"), f.calls);
        var e = assertThrows(ExportAdmin.Refused.class, () -> AoePlugin.act(f, null, "create", "b", Map.of("bogus", "1")));
        assertTrue(e.getMessage().contains("bogus"));
        assertThrows(ExportAdmin.Refused.class, () -> AoePlugin.act(f, null, "update", "a", Map.of()));
        assertThrows(ExportAdmin.Refused.class, () -> AoePlugin.act(f, null, "explode", "a", Map.of()));
        assertThrows(ExportAdmin.Refused.class, () -> AoePlugin.act(f, null, "delete", "", Map.of()));
    }

    @Test
    void warningsFollowTheMessage() throws Exception {
        Fake f = new Fake();
        f.warnings = List.of("key 'interfaces': there is no interface 'eth9' (yet); the export serves on it once it appears");
        assertEquals("export 'a' created; warning: key 'interfaces': there is no interface 'eth9' (yet); the export "
                + "serves on it once it appears", AoePlugin.act(f, null, "create", "a", Map.of("shelf", "1")));
        assertTrue(AoePlugin.act(f, null, "update", "a", Map.of("slot", "2")).endsWith("slot; warning: key 'interfaces': "
                + "there is no interface 'eth9' (yet); the export serves on it once it appears"));
        assertTrue(AoePlugin.act(f, null, "enable", "a", Map.of()).contains("; warning: "));
    }

    @Test
    void freezeActionsGoToTheFreezerAndSayWhenItIsMissing() throws Exception {
        ExportInfo info = new ExportInfo("a", "etc/org.aoede.export-a.cfg", Map.of(), ExportState.REFUSED, "", "", "e1.0", -1,
                new ExportInfo.Live("", List.of(), List.of()), Map.of(), null);
        Fake admin = new Fake() {
            @Override public Optional<ExportInfo> export(String name) { return name.equals("a") ? Optional.of(info) : Optional.empty(); }
        };
        var none = assertThrows(ExportAdmin.Refused.class, () -> AoePlugin.act(admin, null, "freeze", "b", Map.of()));
        assertEquals("no export 'b'", none.getMessage());
        var e = assertThrows(ExportAdmin.Refused.class, () -> AoePlugin.act(admin, null, "freeze", "a", Map.of()));
        assertTrue(e.getMessage().contains("not installed"), e.getMessage());
        List<String> calls = new java.util.ArrayList<>();
        org.aoede.api.Freezer z = new org.aoede.api.Freezer() {
            @Override public Status freeze(String x) { calls.add("freeze " + x); return new Status(State.FROZEN, "/s", 0, 0, 0, 0); }
            @Override public Status unfreeze(String x) { calls.add("unfreeze " + x); return new Status(State.MERGING, "/s", 4, 0, 8, 4); }
            @Override public java.util.Optional<Status> status(String x) { return java.util.Optional.empty(); }
        };
        assertTrue(AoePlugin.act(admin, z, "freeze", "a", Map.of()).contains("FROZEN"));
        assertTrue(AoePlugin.act(admin, z, "unfreeze", "a", Map.of()).contains("MERGING 50%"));
        assertEquals(List.of("freeze a", "unfreeze a"), calls);
        assertThrows(ExportAdmin.Refused.class, () -> AoePlugin.act(admin, z, "freeze", "", Map.of()));
        assertEquals(List.of("freeze a", "unfreeze a"), calls, "no name, no call");
    }
}
