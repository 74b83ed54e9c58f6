package org.aoede.shell;

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
import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;

/** Argument handling of the commands, against an in-memory ExportAdmin (no OSGi). */
class CommandsTest {

    /** Keeps settings in a map; refuses a shelf that is not a number, as the real one would. */
    static final class FakeAdmin implements ExportAdmin {
        final Map<String, Map<String, String>> cfg = new LinkedHashMap<>();
        final List<String> calls = new ArrayList<>();
        List<String> reservation = List.of();
        /** What the real admin's checks would say about the next create or update (null: accept). */
        String refusal;
        List<String> warnings = List.of();

        @Override
        public List<ExportInfo> exports() {
            return cfg.keySet().stream().map(n -> export(n).orElseThrow()).toList();
        }

        @Override
        public Optional<ExportInfo> export(String name) {
            Map<String, String> s = cfg.get(name);
            if (s == null) {
                return Optional.empty();
            }
            ExportStats stats = new ExportStats(0, 0, 0, 0, 0, Map.of(), Map.of(), Map.of(), 0,
                    new ExportStats.Latency(new long[] {100}, new long[] {0, 0}));
            return Optional.of(new ExportInfo(name, "etc/org.aoede.export-" + name + ".cfg", Map.copyOf(s), ExportState.SERVING, "", "",
                    "e" + s.get("shelf") + "." + s.get("slot"), 2048,
                    new ExportInfo.Live("", Fmt.list(s.get("allowed-macs")), reservation), Map.of(), stats));
        }

        @Override
        public List<PortInfo> ports() {
            return List.of();
        }

        @Override
        public Map<String, String> keys() {
            return Map.of();
        }

        @Override
        public List<String> create(String name, Map<String, String> settings) throws Refused {
            check(settings);
            calls.add("create " + name + " " + settings);
            cfg.put(name, new LinkedHashMap<>(settings));
            return warnings;
        }

        @Override
        public List<String> check(String name, Map<String, String> settings) throws Refused {
            calls.add("check " + name + " " + settings);
            check(settings);
            return warnings;
        }

        @Override
        public List<String> update(String name, Map<String, String> changes) throws Refused {
            Map<String, String> next = new LinkedHashMap<>(cfg.get(name));
            changes.forEach((k, v) -> {
                if (v == null) {
                    next.remove(k);
                } else {
                    next.put(k, v);
                }
            });
            check(next);
            calls.add("update " + name + " " + changes);
            cfg.put(name, next);
            return warnings;
        }

        private void check(Map<String, String> s) throws Refused {
            if (refusal != null) {
                throw new Refused(refusal);
            }
            if (!s.getOrDefault("shelf", "").matches("\\d+")) {
                throw new Refused("key 'shelf': '" + s.get("shelf") + "' is not a whole number");
            }
        }

        @Override
        public void delete(String name) {
            calls.add("delete " + name);
            cfg.remove(name);
        }

        @Override
        public void reserve(String name, List<String> macs) {
            calls.add("reserve " + name + " " + macs);
            reservation = List.copyOf(macs);
        }

        @Override
        public void resetLive(String name) {
            calls.add("reset " + name);
        }
    }

    final FakeAdmin admin = new FakeAdmin();

    private <T extends AoeAction> T with(T action) {
        action.admin = admin;
        return action;
    }

    private CreateCommand create(String name, String shelf) {
        CreateCommand c = with(new CreateCommand());
        c.name = name;
        c.shelf = shelf;
        c.slot = "0";
        c.interfaces = "eth1,eth2";
        c.file = "/srv/a.img";
        return c;
    }

    @Test
    void createMapsVbladeWordsAndFlagsToKeys() {
        CreateCommand c = create("a", "1");
        assertEquals(Map.of("shelf", "1", "slot", "0", "interfaces", "eth1,eth2", "file", "/srv/a.img"), c.settings());
        c.readOnly = true;
        c.direct = true;
        c.sync = true;
        c.offset = "8";
        c.length = "1024";
        c.bufferCount = "16";
        c.allowedMacs = "52:54:00:12:34:56";
        c.configString = "hello world";
        Map<String, String> s = c.settings();
        assertEquals("true", s.get("read-only"));
        assertEquals("true", s.get("direct"));
        assertEquals("true", s.get("sync"));
        assertEquals("8", s.get("offset"));
        assertEquals("1024", s.get("length"));
        assertEquals("16", s.get("buffer-count"));
        assertEquals("52:54:00:12:34:56", s.get("allowed-macs"));
        assertEquals("hello world", s.get("config-string"));
        assertEquals(12, s.size());
    }

    @Test
    void createMakesTheFileAbsolute() {
        CreateCommand c = create("a", "1");
        c.file = "data/x/../a.img";
        assertTrue(c.settings().get("file").startsWith("/"));
        assertTrue(c.settings().get("file").endsWith("/data/a.img"));
    }

    @Test
    void aRefusalIsTheCommandsErrorAndChangesNothing() {
        Exception e = assertThrows(CommandException.class, () -> create("a", "x").execute());
        assertEquals("refused: key 'shelf': 'x' is not a whole number", e.getMessage());
        assertTrue(admin.cfg.isEmpty());
    }

    /** Runs a command, returns what it printed. */
    static String printed(AoeAction action) throws Exception {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            action.execute();
        } finally {
            System.setOut(out);
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aCreateTheAdminRefusesForItsFileOrWindowIsTheCommandsErrorAndStoresNothing() throws Exception {
        // The admin's checks (bundles/server AdminServiceTest) name the key; the command passes that on.
        for (String why : List.of("key 'file': /tmp is a directory",
                "key 'length': window 0+4096 sectors is past the end of /srv/a.img (2048 sectors)",
                "key 'file': /srv/missing.img does not exist")) {
            admin.refusal = why;
            CreateCommand c = create("a", "1");
            c.length = "4096";
            Exception e = assertThrows(CommandException.class, c::execute);
            assertEquals("refused: " + why, e.getMessage());
            assertTrue(admin.cfg.isEmpty(), "nothing stored");
        }
        admin.refusal = null;
        create("a", "1").execute();
        admin.refusal = "key 'length': window 0+4096 sectors is past the end of /srv/a.img (2048 sectors)";
        SetCommand set = with(new SetCommand());
        set.name = "a";
        set.key = "length";
        set.value = List.of("4096");
        assertThrows(CommandException.class, set::execute);
        assertTrue(!admin.cfg.get("a").containsKey("length"), "a refused edit changes nothing");
    }

    @Test
    void aMissingInterfaceIsAcceptedWithAWarning() throws Exception {
        admin.warnings = List.of("key 'interfaces': there is no interface 'eth2' (yet); the export serves on it once it appears");
        String out = printed(create("a", "1"));
        assertTrue(out.contains("export a: e1.0 on eth1,eth2"), out);
        assertTrue(out.contains("\nwarning: key 'interfaces': there is no interface 'eth2' (yet)"), out);
        assertTrue(admin.cfg.containsKey("a"));
        SetCommand set = with(new SetCommand());
        set.name = "a";
        set.key = "buffer-count";
        set.value = List.of("8");
        assertTrue(printed(set).contains("warning: key 'interfaces'"), "an edit says it too");
    }

    @Test
    void setJoinsWordsAndUnsetRemoves() throws Exception {
        create("a", "1").execute();
        SetCommand set = with(new SetCommand());
        set.name = "a";
        set.key = "config-string";
        set.value = List.of("two", "words");
        set.execute();
        assertEquals("two words", admin.cfg.get("a").get("config-string"));
        assertEquals("a,b", SetCommand.join("interfaces", List.of("a", "b")));
        assertEquals("a,b", SetCommand.join("allowed-macs", List.of("a", "b")));

        UnsetCommand unset = with(new UnsetCommand());
        unset.name = "a";
        unset.key = "config-string";
        unset.execute();
        assertTrue(!admin.cfg.get("a").containsKey("config-string"));
        Exception e = assertThrows(CommandException.class, unset::execute);
        assertEquals("refused: export 'a' has no setting 'config-string'", e.getMessage());
    }

    @Test
    void commandsOnAMissingExportAreRefused() {
        DeleteCommand d = with(new DeleteCommand());
        d.name = "nope";
        Exception e = assertThrows(CommandException.class, d::execute);
        assertEquals("refused: no export 'nope'", e.getMessage());
        assertTrue(admin.calls.isEmpty());
    }

    @Test
    void enableAndDisableWriteTheEnabledKey() throws Exception {
        create("a", "1").execute();
        DisableCommand d = with(new DisableCommand());
        d.name = "a";
        d.execute();
        assertEquals("false", admin.cfg.get("a").get("enabled"));
        assertEquals("off", ListCommand.flags(admin.cfg.get("a")));
        EnableCommand en = with(new EnableCommand());
        en.name = "a";
        en.execute();
        assertEquals("true", admin.cfg.get("a").get("enabled"));
    }

    @Test
    void maskEditsTheConfiguredList() throws Exception {
        List<String> cur = List.of("52:54:00:00:00:01", "52-54-00-00-00-02");
        assertEquals(List.of("52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:00:03"),
                MaskCommand.edit(cur, List.of("52:54:00:00:00:03", "52:54:00:00:00:01"), null, false));
        assertEquals(List.of("52:54:00:00:00:02"), MaskCommand.edit(cur, null, List.of("52:54:00:00:00:01"), false));
        assertEquals(List.of("52:54:00:00:00:09"), MaskCommand.edit(cur, List.of("52:54:00:00:00:09"), null, true));
        ExportAdmin.Refused r = assertThrows(ExportAdmin.Refused.class,
                () -> MaskCommand.edit(cur, null, List.of("52:54:00:00:00:07"), false));
        assertEquals("MAC 52:54:00:00:00:07 is not in the configured mask list", r.getMessage());

        create("a", "1").execute();
        MaskCommand m = with(new MaskCommand());
        m.name = "a";
        m.add = List.of("52:54:00:00:00:01", "52:54:00:00:00:02");
        m.execute();
        assertEquals("52:54:00:00:00:01,52:54:00:00:00:02", admin.cfg.get("a").get("allowed-macs"));
        m.add = null;
        m.clear = true;
        m.execute();
        assertTrue(!admin.cfg.get("a").containsKey("allowed-macs"), "an empty list removes the key");
    }

    @Test
    void reserveSetsOrReleasesTheLiveReservation() throws Exception {
        create("a", "1").execute();
        ReserveCommand r = with(new ReserveCommand());
        r.name = "a";
        r.execute();
        assertEquals(1, admin.calls.size(), "no MACs and no --clear only shows");
        r.macs = List.of("52:54:00:00:00:01");
        r.execute();
        assertEquals(List.of("52:54:00:00:00:01"), admin.reservation);
        r.clear = true;
        assertThrows(CommandException.class, r::execute);
        r.macs = null;
        r.execute();
        assertEquals(List.of(), admin.reservation);
    }

    @Test
    void optionsMayFollowTheArguments() throws Exception {
        CreateCommand c = create("a", "1");
        c.trailing = List.of("-r", "--buffer-count", "16", "-m", "52:54:00:00:00:01");
        c.execute();
        assertEquals("true", admin.cfg.get("a").get("read-only"));
        assertEquals("16", admin.cfg.get("a").get("buffer-count"));
        assertEquals("52:54:00:00:00:01", admin.cfg.get("a").get("allowed-macs"));

        CreateCommand bad = create("b", "2");
        bad.trailing = List.of("extra");
        Exception e = assertThrows(CommandException.class, bad::execute);
        assertTrue(e.getMessage().startsWith("refused: unexpected argument(s) [extra]"), e.getMessage());
        CreateCommand noValue = create("b", "2");
        noValue.trailing = List.of("-o");
        e = assertThrows(CommandException.class, noValue::execute);
        assertEquals("refused: option -o needs a value", e.getMessage());

        MaskCommand m = with(new MaskCommand());
        m.name = "a";
        m.add = List.of("52:54:00:00:00:02");
        m.trailing = List.of("--add", "52:54:00:00:00:03", "--remove", "52:54:00:00:00:01");
        m.execute();
        assertEquals("52:54:00:00:00:02,52:54:00:00:00:03", admin.cfg.get("a").get("allowed-macs"));

        ConfigStringCommand cs = with(new ConfigStringCommand());
        cs.name = "a";
        cs.value = List.of("-x", "y");
        cs.execute();
        assertEquals("-x y", admin.cfg.get("a").get("config-string"), "words that are no option stay");
        cs.value = List.of("--clear");
        cs.execute();
        assertTrue(!admin.cfg.get("a").containsKey("config-string"));

        ReserveCommand r = with(new ReserveCommand());
        r.name = "a";
        r.macs = List.of("52:54:00:00:00:01");
        r.execute();
        r.macs = List.of("--clear");
        r.execute();
        assertEquals(List.of(), admin.reservation);
    }

    @Test
    void formats() {
        assertEquals("512 B", Fmt.bytes(512));
        assertEquals("64.0 MiB", Fmt.size(131072));
        assertEquals("-", Fmt.size(-1));
        assertEquals("0", Fmt.kinds(Map.of("aoe-2", 0L)));
        assertEquals("ata-idnf=2", Fmt.kinds(Map.of("ata-idnf", 2L)));
        ExportStats.Latency l = new ExportStats.Latency(new long[] {100, 1000}, new long[] {98, 1, 1});
        assertEquals("<=100us:98 <=1ms:1 >1ms:1", ShowCommand.histogram(l));
        assertEquals("ro,direct,sync", ListCommand.flags(Map.of("read-only", "true", "direct", "TRUE", "sync", "true")));
        assertEquals("-", ListCommand.flags(Map.of()));
        assertEquals("52:54:00:ab:cd:ef", Fmt.mac("5254.00AB.CDEF"));
    }

    @Test
    void aRefusalPrintsAPlainMessageWithoutColour() {
        CommandException e = assertThrows(CommandException.class, () -> create("a", "x").execute());
        assertEquals("refused: key 'shelf': 'x' is not a whole number", e.getNiceHelp());
    }

    @Test
    void jsonOfListShowStatsAndPorts() throws Exception {
        create("a", "1").execute();
        ListCommand list = with(new ListCommand());
        list.json = true;
        String out = printed(list).trim();
        assertTrue(out.startsWith("[{\"name\":\"a\",") && out.endsWith("}]"), out);
        assertTrue(out.contains("\"settings\":{") && out.contains("\"shelf\":\"1\"") && out.contains("\"sectors\":2048"), out);

        ShowCommand show = with(new ShowCommand());
        show.name = "a";
        show.trailing = List.of("--json");          // bin/aoe show a --json: the option after the name
        out = printed(show).trim();
        assertTrue(out.startsWith("{\"name\":\"a\",") && out.contains("\"stats\":{\"requests\":0"), out);

        StatsCommand stats = with(new StatsCommand());
        stats.json = true;
        out = printed(stats).trim();
        assertTrue(out.startsWith("[{\"name\":\"a\",\"address\":\"e1.0\",\"stats\":{") && out.contains("\"p50Micros\":null"), out);

        PortsCommand ports = with(new PortsCommand());
        ports.json = true;
        assertEquals("[]", printed(ports).trim());
    }

    @Test
    void checkReadsACfgAndAsksTheAdminWithoutApplying(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path good = dir.resolve("org.aoede.export-disk1.cfg");
        java.nio.file.Files.writeString(good, "# mine\nshelf = 1\nslot = 0\ninterfaces = eth1\nfile = /srv/a.img\nconfig-string = a\\\\\\\\b\n");
        CheckCommand c = with(new CheckCommand());
        c.file = good.toString();
        assertEquals("ok", printed(c).trim());
        assertEquals(1, admin.calls.size());
        assertEquals("check disk1 {shelf=1, slot=0, interfaces=eth1, file=/srv/a.img, config-string=a\\b}", admin.calls.get(0));
        assertTrue(admin.cfg.isEmpty(), "nothing created");
        assertEquals("a\\b", CheckCommand.read(good).get("config-string"), "a backslash as FileInstall reads it");

        java.nio.file.Path bad = dir.resolve("x.cfg");
        java.nio.file.Files.writeString(bad, "shelf = one\n");
        c.file = bad.toString();
        CommandException e = assertThrows(CommandException.class, c::execute);
        assertEquals("refused: key 'shelf': 'one' is not a whole number", e.getMessage());
        assertEquals("x", CheckCommand.name(bad));
    }
}
