package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.aoede.api.ExportAdmin.Refused;
import org.aoede.store.file.FileStoreFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * AdminService refuses a create or an edit that the export's start would refuse, before it
 * writes anything: against the real file store, an in-memory Config Admin and a temporary etc/.
 */
class AdminServiceTest {
    @TempDir
    Path dir;
    Path etc;
    Path image;
    String oldEtc;
    final List<Dictionary<String, Object>> configurations = new ArrayList<>();
    final AdminService admin = new AdminService();

    @BeforeEach
    void setUp() throws IOException {
        etc = Files.createDirectories(dir.resolve("etc"));
        oldEtc = System.setProperty("karaf.etc", etc.toString());
        image = dir.resolve("x.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(2048 * 512);
        }
        admin.registry = new ExportRegistry();
        admin.registry.stores = new FileStoreFactory();
        admin.configAdmin = configAdmin();
    }

    @AfterEach
    void tearDown() {
        if (oldEtc == null) {
            System.clearProperty("karaf.etc");
        } else {
            System.setProperty("karaf.etc", oldEtc);
        }
    }

    Map<String, String> settings(String file, String... more) {
        Map<String, String> m = new LinkedHashMap<>(Map.of("shelf", "1", "slot", "0", "interfaces", "lo", "file", file));
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    List<Path> etcFiles() throws IOException {
        try (Stream<Path> s = Files.list(etc)) {
            return s.toList();
        }
    }

    /** A refused create: the message names the key and the reason, and nothing is written. */
    void refused(Map<String, String> settings, String message) throws IOException {
        Refused r = assertThrows(Refused.class, () -> admin.create("a", settings));
        assertEquals(message, r.getMessage());
        assertEquals(List.of(), etcFiles(), "no .cfg (nor a temporary one) for a refused create");
        assertEquals(List.of(), configurations, "no configuration for a refused create");
    }

    @Test
    void defaultsAreWhatTheSettingsFillIn() throws Exception {
        Map<String, String> d = admin.defaults();
        for (String k : admin.keys().keySet()) {
            assertEquals(!List.of("shelf", "slot", "interfaces", "file").contains(k), d.containsKey(k), k);
        }
        assertEquals("64", d.get("buffer-count"));
        assertEquals("afpacket", d.get("transport"));
        assertEquals("false", d.get("read-only"));
        assertEquals("true", d.get("enabled"));
        ExportSettings s = ExportSettings.parse("a", Map.of("shelf", "3", "slot", "4", "interfaces", "x", "file", "/f"));
        assertEquals(s.serial(), d.get("serial").replace("{shelf}", "3").replace("{slot}", "4"));
        assertEquals(s.model(), d.get("model"));
    }

    @Test
    void aDirectoryIsRefused() throws IOException {
        refused(settings(dir.toString()), "key 'file': " + dir.toRealPath() + " is a directory");
    }

    @Test
    void aWindowPastTheEndIsRefused() throws IOException {
        String real = image.toRealPath().toString();
        refused(settings(image.toString(), "length", "4096"),
                "key 'length': window 0+4096 sectors is past the end of " + real + " (2048 sectors)");
        refused(settings(image.toString(), "offset", "2048", "length", "1"),
                "key 'length': window 2048+1 sectors is past the end of " + real + " (2048 sectors)");
        refused(settings(image.toString(), "offset", "3000"),
                "key 'offset': offset 3000 is past the end of " + real + " (2048 sectors)");
    }

    @Test
    void aMissingFileIsRefused() throws IOException {
        refused(settings(dir.resolve("missing.img").toString()), "key 'file': " + dir.resolve("missing.img") + " does not exist");
    }

    @Test
    void badSettingsAreRefusedAsBefore() throws IOException {
        refused(settings(image.toString(), "shelf", "70000"), "key 'shelf': 70000 is out of range 0-65534");
    }

    @Test
    void aGoodCreateIsWrittenAndAMissingInterfaceIsOnlyAWarning() throws Exception {
        List<String> warnings = admin.create("a", settings(image.toString(), "interfaces", "lo,aoede-nosuch0"));
        assertEquals(List.of("key 'interfaces': there is no interface 'aoede-nosuch0' (yet); the export serves on it "
                + "once it appears"), warnings);
        assertEquals(List.of(etc.resolve("org.aoede.export-a.cfg")), etcFiles());
        assertEquals(1, configurations.size());
        assertEquals(List.of(), admin.create("b", settings(image.toString(), "slot", "1")), "lo exists: no warning");
    }

    @Test
    void aRefusedEditKeepsTheLastGoodFile() throws Exception {
        admin.create("a", settings(image.toString()));
        Path cfg = etc.resolve("org.aoede.export-a.cfg");
        byte[] good = Files.readAllBytes(cfg);
        Refused r = assertThrows(Refused.class, () -> admin.update("a", Map.of("length", "4096")));
        assertTrue(r.getMessage().startsWith("key 'length': window 0+4096 sectors is past the end"), r.getMessage());
        r = assertThrows(Refused.class, () -> admin.update("a", Map.of("file", dir.toString())));
        assertTrue(r.getMessage().endsWith(" is a directory"), r.getMessage());
        assertArrayEquals(good, Files.readAllBytes(cfg));
        assertEquals(List.of(cfg), etcFiles());
        admin.update("a", Map.of("length", "1024"));
        assertTrue(Files.readString(cfg).contains("length = 1024"));
    }

    @Test
    void aDisabledExportClaimsNoFile() throws Exception {
        admin.create("a", settings(image.toString()));
        Files.delete(image);
        // Disabling an export whose file is gone must work; enabling it again is refused.
        admin.update("a", Map.of("enabled", "false"));
        Refused r = assertThrows(Refused.class, () -> admin.update("a", Map.of("enabled", "true")));
        assertTrue(r.getMessage().startsWith("key 'file': "), r.getMessage());
    }

    @Test
    void anEditKeepsTheOperatorsCommentsBlankLinesAndKeyOrder() throws Exception {
        admin.create("a", settings(image.toString(), "read-only", "false", "buffer-count", "16"));
        Path cfg = etc.resolve("org.aoede.export-a.cfg");
        Files.writeString(cfg, String.join("\n",
                "# Disk of the build farm: ask Ann before changing it",
                "",
                "file = " + image,
                "# the address the hosts know",
                "slot = 0",
                "shelf = 1",
                "",
                "# writable since the 3rd",
                "read-only = false",
                "interfaces = lo",
                "buffer-count = 16   ",
                ""));
        admin.update("a", Map.of("shelf", "2", "model", "Build Disk"));
        Map<String, String> unset = new HashMap<>();
        unset.put("read-only", null);
        admin.update("a", unset);
        assertEquals(String.join("\n",
                "# Disk of the build farm: ask Ann before changing it",
                "",
                "file = " + image,
                "# the address the hosts know",
                "slot = 0",
                "shelf = 2",
                // a removed key goes with the comment lines above it (as in Karaf's config:* commands)
                "interfaces = lo",
                "buffer-count = 16   ",
                "model = Build Disk",
                ""), Files.readString(cfg));
    }

    @Test
    void aNewCfgHasTheKnownKeysInOrder() throws Exception {
        admin.create("a", settings(image.toString(), "cache.size", "1M", "extensions", "cache", "buffer-count", "8"));
        assertEquals(String.join("\n",
                "# AoEde export, written by the appliance (shell or web console).",
                "shelf = 1", "slot = 0", "interfaces = lo", "file = " + image, "buffer-count = 8", "extensions = cache",
                "cache.size = 1M", ""),
                Files.readString(etc.resolve("org.aoede.export-a.cfg")));
    }

    @Test
    void checkRefusesAsCreateWouldAndWritesNothing() throws Exception {
        assertEquals(List.of(), admin.check("a", settings(image.toString())));
        Refused r = assertThrows(Refused.class, () -> admin.check("a", settings(image.toString(), "shelf", "70000")));
        assertEquals("key 'shelf': 70000 is out of range 0-65534", r.getMessage());
        r = assertThrows(Refused.class, () -> admin.check("a", settings(dir.toString())));
        assertTrue(r.getMessage().startsWith("key 'file': "), r.getMessage());
        assertEquals(List.of(), etcFiles());
        assertEquals(List.of(), configurations);
    }

    // ---- an in-memory Config Admin: factory configurations kept as dictionaries ----------

    private ConfigurationAdmin configAdmin() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (p, m, args) -> switch (m.getName()) {
                    case "getFactoryConfiguration" -> configuration(ExportSettings.PID + "~" + args[1], null);
                    case "listConfigurations" -> configurations.stream()
                            .map(d -> configuration(String.valueOf(d.get("service.pid")), d))
                            .toArray(Configuration[]::new);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private Configuration configuration(String pid, Dictionary<String, Object> existing) {
        Map<String, Dictionary<String, Object>> holder = new HashMap<>();
        if (existing != null) {
            holder.put("d", existing);
        }
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                (p, m, args) -> switch (m.getName()) {
                    case "getPid" -> pid;
                    case "getProperties" -> holder.get("d");
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = new Hashtable<>((Map<String, Object>) args[0]);
                        d.put("service.pid", pid);
                        configurations.remove(holder.get("d"));
                        configurations.add(d);
                        holder.put("d", d);
                        yield null;
                    }
                    case "delete" -> {
                        configurations.remove(holder.get("d"));
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
