package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AoE page of the Felix web console, driven in real headless Chromium (chromedriver) inside
 * the appliance's namespace, where the console listens on 127.0.0.1:8181: log in with the
 * appliance's admin credential, create an export through the form, see it answer the initiator
 * and its statistics move without a reload, change settings (the .cfg file and the initiator
 * follow; a refused change changes nothing), disable/enable it, delete it (the .cfg is gone);
 * freeze and unfreeze an export that uses the freeze extension (the image stays unchanged while
 * frozen, the page shows the merge, afterwards the image holds what the initiator wrote).
 *
 * <p>One browser session for the class (starting it is costly), but each test starts from a known
 * state: the appliance as the set-up left it (no exports; {@link Fixture#restore}), no dialog open
 * and the page freshly loaded. A test that needs export web1 makes it with {@link #web1}, so any
 * one test passes on its own and a failure does not carry into the next.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebConsoleIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;
    static final String CONSOLE = "http://127.0.0.1:8181/system/console";

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;
    static Browser browser;
    static Initiator ini;
    static String t0;
    static String iniMac;
    static String password;
    static Path image;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500);
        appliance = fx.appliance;
        t0 = fx.t(0);
        ini = fx.initiator(0);
        iniMac = Lan.mac(fx.ins, fx.i(0));
        image = work.resolve("web1.img");
        Fixture.sparse(image, SECTORS * 512);
        password = Files.readString(appliance.etc("aoede-admin.password")).trim();
        browser = new Browser(fx.tns, work, 9515);
        Browser.waitFor("the AoE page of the web console", Duration.ofSeconds(90),
                () -> get("/aoe/data.json", true).status() == 200);
        fx.snapshot();
    }

    /**
     * The appliance back to the set-up's state (no exports, every bundle active), no dialog left
     * open by a test that failed before answering it, and the page loaded afresh (logged in).
     */
    @BeforeEach
    void knownState() throws IOException {
        fx.restore();
        browser.dismissAlert();
        openPage();
    }

    static final String PAGE = "127.0.0.1:8181/system/console/aoe";

    /** Loads the AoE page with the admin credential and waits for its first refresh. */
    static void openPage() {
        browser.open("http://admin:" + password + "@" + PAGE);
        Browser.waitFor("the page's first refresh", Duration.ofSeconds(30), () -> refreshes() >= 1);
    }

    /**
     * Export web1 (e7.3 on the pair's target end, the model with markup in it, then {@code extra}
     * lines) written as a .cfg, and serving in the page's table.
     */
    static void web1(String... extra) throws IOException {
        String[] lines = new String[extra.length + 1];
        lines[0] = "model = Console <b>disk</b>";
        System.arraycopy(extra, 0, lines, 1, extra.length);
        fx.export("web1", 7, 3, t0, image, lines);
        Browser.waitFor("web1 serving in the table", Duration.ofSeconds(30), () -> "serving".equals(cell("web1", "state")));
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (fx != null) {
                fx.close();
            }
        }
    }

    static Browser.Http.Response get(String path, boolean auth) {
        return browser.http().request("GET", CONSOLE + path, auth ? Map.of("Authorization", basic()) : Map.of(), null);
    }

    static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
    }

    static Path cfg(String name) {
        return appliance.etc("org.aoede.export-" + name + ".cfg");
    }

    static String cfgText(String name) {
        try {
            return Files.exists(cfg(name)) ? Files.readString(cfg(name)) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** A value of the export's row in the exports table (a cell, or a part of one), e.g. cell("web1", "state"). */
    static String cell(String export, String col) {
        Object v = browser.script("var c = document.querySelector('#aoe-exports tr[data-export=\"' + arguments[0]"
                + " + '\"] [data-col=\"' + arguments[1] + '\"]'); return c ? c.textContent : null;", export, col);
        return v == null ? null : v.toString();
    }

    static String message() {
        Object v = browser.script("var m = document.getElementById('aoe-msg'); return m ? m.textContent : '';");
        return v == null ? "" : v.toString();
    }

    /** Clears the page's message, runs the UI step, waits for a new message and returns it. */
    static String act(Runnable uiStep) {
        browser.script("document.getElementById('aoe-msg').textContent = '';");
        uiStep.run();
        Browser.waitFor("a message on the page", Duration.ofSeconds(20), () -> !message().isEmpty());
        return message();
    }

    static String withoutBufferCount(String cfg) {
        return cfg.lines().filter(l -> !l.startsWith("buffer-count")).collect(java.util.stream.Collectors.joining("\n"));
    }

    static long refreshes() {
        Object v = browser.script("return document.getElementById('aoe').getAttribute('data-refreshes');");
        return v == null ? 0 : Long.parseLong(v.toString());
    }

    @Test
    @Order(1)
    void consoleNeedsTheAdminCredentialAndChangesNeedThePageToken() {
        assertEquals(401, get("/aoe", false).status(), "no credential: no page");
        assertEquals(401, browser.http().request("GET", CONSOLE + "/aoe/data.json",
                Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:wrong".getBytes())), null).status());
        // Authenticated but without the page's token (what a cross-site form post looks like): refused.
        var r = browser.http().request("POST", CONSOLE + "/aoe/action.json",
                Map.of("Authorization", basic(), "Content-Type", "application/x-www-form-urlencoded"),
                "action=create&name=csrf&k:shelf=9&k:slot=9&k:interfaces=" + t0 + "&k:file=" + image);
        assertEquals(403, r.status(), r.body());
        assertTrue(r.body().contains("token"), r.body());
        assertFalse(Files.exists(cfg("csrf")), "nothing created without the token");
    }

    @Test
    @Order(2)
    void logInAndSeeThePage() {
        openPage();
        assertTrue(browser.text("#aoe-exports thead").contains("Requests"));
        assertTrue(browser.text("#aoe-exports tbody").contains("No exports"), browser.text("#aoe-exports tbody"));
    }

    @Test
    @Order(3)
    void createThroughTheFormAndTheInitiatorSeesIt() {
        // A refused create first: the page shows the reason, nothing is written.
        String refused = act(() -> {
            browser.type("#aoe-create-name", "bad");
            browser.type("#aoe-create-shelf", "70000");
            browser.type("#aoe-create-slot", "1");
            browser.type("#aoe-create-interfaces", t0);
            browser.type("#aoe-create-file", image.toString());
            browser.click("#aoe-create-submit");
        });
        assertTrue(refused.startsWith("refused:") && refused.contains("shelf"), refused);
        assertFalse(Files.exists(cfg("bad")), "a refused create writes no file");
        // What could never serve is refused up front too: a directory as the file.
        refused = act(() -> {
            browser.type("#aoe-create-shelf", "7");
            browser.type("#aoe-create-file", work.toString());
            browser.click("#aoe-create-submit");
        });
        assertTrue(refused.startsWith("refused: key 'file': ") && refused.endsWith(" is a directory"), refused);
        assertFalse(Files.exists(cfg("bad")), "a refused create writes no file");

        String created = act(() -> {
            browser.type("#aoe-create-name", "web1");
            browser.type("#aoe-create-shelf", "7");
            browser.type("#aoe-create-slot", "3");
            browser.type("#aoe-create-interfaces", t0);
            browser.type("#aoe-create-file", image.toString());
            browser.type("#aoe-create-model", "Console <b>disk</b>");
            browser.click("#aoe-create-submit");
        });
        assertEquals("export 'web1' created", created);
        Browser.waitFor("web1 serving in the table", Duration.ofSeconds(30), () -> "serving".equals(cell("web1", "state")));
        assertEquals("e7.3", cell("web1", "address"));
        String text = cfgText("web1");
        assertTrue(Pattern.compile("(?m)^shelf\\s*=\\s*\"?7\"?").matcher(text).find(), text);
        assertTrue(text.contains(t0), text);

        String id = ini.run("identify", "7.3").ok().out();
        assertEquals(String.valueOf(SECTORS), Initiator.field(id, "sectors"), id);
        assertEquals("Console <b>disk</b>", Initiator.field(id, "model"), id);
        // The model is shown as text, never as markup.
        browser.click("#aoe-exports tr[data-export='web1'] button[data-action='edit']");
        Browser.waitFor("the edit form", Duration.ofSeconds(10),
                () -> "Console <b>disk</b>".equals(browser.script("return document.getElementById('aoe-edit-model').value;")));
        assertEquals(0L, browser.script("return document.querySelectorAll('#aoe b').length;"));
    }

    @Test
    @Order(4)
    void statisticsMoveWithoutAReload() throws IOException {
        web1();
        browser.script("window.aoeMarker = 'still the same page';");
        long before = Long.parseLong(cell("web1", "requests"));
        long refreshesBefore = refreshes();
        String v = ini.run("verify", "7.3", "--count-frames", "2000", "--seed", "7").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        Browser.waitFor("the request counter to move", Duration.ofSeconds(15),
                () -> Long.parseLong(cell("web1", "requests")) >= before + 2000);
        assertTrue(Long.parseLong(cell("web1", "writes")) > 0);
        assertTrue(Long.parseLong(cell("web1", "clients")) >= 1);
        assertTrue(refreshes() > refreshesBefore);
        assertEquals("still the same page", browser.script("return window.aoeMarker;"), "the page was not reloaded");
        browser.click("#aoe-exports tr[data-export='web1'] button[data-action='edit']");    // web1's detail panel
        Browser.waitFor("the client in the detail panel", Duration.ofSeconds(10),
                () -> browser.text("#aoe-d-clients").contains(iniMac));
    }

    @Test
    @Order(5)
    void changeTheBufferCount() throws IOException {
        web1();
        browser.click("#aoe-exports tr[data-export='web1'] button[data-action='edit']");
        Browser.waitFor("web1's edit form", Duration.ofSeconds(10), () -> "AOEDE-7-3".equals(placeholder("aoe-edit-serial")));
        // The operator's own layout: comments, a blank line, the keys in another order (same values).
        List<String> keys = new ArrayList<>(cfgText("web1").lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList());
        java.util.Collections.reverse(keys);
        String mine = "# web1: the operator's notes\n\n# keys in my order\n" + String.join("\n", keys) + "\n";
        Files.writeString(cfg("web1"), mine);
        Appliance.sleep(3000);                       // FileInstall reads it: nothing changes
        String ok = act(() -> {
            browser.type("#aoe-edit-buffer-count", "16");
            browser.click("#aoe-edit-submit");
        });
        assertEquals("export 'web1' changed: buffer-count", ok);
        Browser.waitFor("buffer-count in the .cfg", Duration.ofSeconds(10),
                () -> Pattern.compile("(?m)^buffer-count\\s*=\\s*\"?16\"?").matcher(cfgText("web1")).find());
        Browser.waitFor("the initiator to learn bufcnt 16", Duration.ofSeconds(20),
                () -> "16".equals(Initiator.field(ini.run("discover", "7.3").ok().out(), "bufcnt")));
        // The edit changed the one line and kept the operator's comments, blank line and order.
        assertEquals(withoutBufferCount(mine), withoutBufferCount(cfgText("web1")), cfgText("web1"));

        // A refused edit: the reason is shown, the .cfg and the export stay as they were.
        String before = cfgText("web1");
        String refused = act(() -> {
            browser.type("#aoe-edit-buffer-count", "5000");
            browser.click("#aoe-edit-submit");
        });
        assertTrue(refused.startsWith("refused:") && refused.contains("buffer-count"), refused);
        Appliance.sleep(1500);
        assertEquals(before, cfgText("web1"));
        assertEquals("16", Initiator.field(ini.run("discover", "7.3").ok().out(), "bufcnt"));
        assertEquals("serving", cell("web1", "state"));
    }

    @Test
    @Order(6)
    void masksAndConfigString() throws IOException {
        web1("buffer-count = 16");
        browser.click("#aoe-exports tr[data-export='web1'] button[data-action='edit']");
        Browser.waitFor("a fresh edit form", Duration.ofSeconds(10),
                () -> "16".equals(browser.script("return document.getElementById('aoe-edit-buffer-count').value;")));
        String masks = act(() -> {
            browser.type("#aoe-masks-value", iniMac);
            browser.click("#aoe-masks-submit");
        });
        assertEquals("export 'web1' changed: allowed-macs", masks);
        Browser.waitFor("allowed-macs in the .cfg", Duration.ofSeconds(10), () -> cfgText("web1").contains(iniMac));
        Browser.waitFor("the live mask list", Duration.ofSeconds(10), () -> browser.text("#aoe-d-live-mask").contains(iniMac));
        ini.run("read", "7.3", "--lba", "0", "--count", "1").ok();

        String cs = "hello <i>web</i> & console";
        String set = act(() -> {
            browser.type("#aoe-cfgstr-value", cs);
            browser.click("#aoe-cfgstr-submit");
        });
        assertEquals("export 'web1' changed: config-string", set);
        Browser.waitFor("the config string on the wire", Duration.ofSeconds(15),
                () -> cs.equals(Initiator.field(ini.run("config", "7.3", "--read").ok().out(), "config")));
        Browser.waitFor("the live config string on the page", Duration.ofSeconds(10),
                () -> cs.equals(browser.text("#aoe-d-live-configstring")));
        assertEquals(0L, browser.script("return document.querySelectorAll('#aoe i, #aoe b').length;"), "text, not markup");

        // The wire changes the live value; reset brings back the configured one.
        ini.run("config", "7.3", "--force-set", "from the wire").ok();
        Browser.waitFor("the wire's config string on the page", Duration.ofSeconds(10),
                () -> "from the wire".equals(browser.text("#aoe-d-live-configstring")));
        assertEquals(cs, browser.text("#aoe-d-cfg-configstring"));
        String reset = act(() -> browser.click("#aoe-reset-live"));
        assertTrue(reset.contains("reset"), reset);
        assertEquals(cs, Initiator.field(ini.run("config", "7.3", "--read").ok().out(), "config"));

        // An invalid MAC is refused and changes nothing.
        String before = cfgText("web1");
        String refused = act(() -> {
            browser.type("#aoe-masks-value", "not-a-mac");
            browser.click("#aoe-masks-submit");
        });
        assertTrue(refused.startsWith("refused:") && refused.contains("allowed-macs"), refused);
        assertEquals(before, cfgText("web1"));
        ini.run("read", "7.3", "--lba", "0", "--count", "1").ok();
    }

    @Test
    @Order(7)
    void disableAndEnable() throws IOException {
        web1();
        String off = act(() -> browser.click("#aoe-exports tr[data-export='web1'] button[data-action='disable']"));
        assertEquals("export 'web1' disabled", off);
        Browser.waitFor("web1 disabled", Duration.ofSeconds(20), () -> "disabled".equals(cell("web1", "state")));
        Browser.waitFor("enabled = false in the .cfg", Duration.ofSeconds(10),
                () -> Pattern.compile("(?m)^enabled\\s*=\\s*\"?false\"?").matcher(cfgText("web1")).find());
        Sh.Result silent = ini.run("identify", "7.3", "--tries", "2", "--timeout-ms", "300");
        assertNotEquals(0, silent.exit(), silent.out());

        String on = act(() -> browser.click("#aoe-exports tr[data-export='web1'] button[data-action='enable']"));
        assertEquals("export 'web1' enabled", on);
        Browser.waitFor("web1 serving again", Duration.ofSeconds(30), () -> "serving".equals(cell("web1", "state")));
        // its counters restarted at 0: the page shows no rate for that interval, never a negative one
        assertTrue(cell("web1", "iops").matches("\\d+|\u2014"), cell("web1", "iops"));
        assertFalse(Pattern.compile("(?m)^enabled").matcher(cfgText("web1")).find(), cfgText("web1"));
        ini.run("identify", "7.3").ok();
    }

    @Test
    @Order(8)
    void screenshot() throws IOException {
        web1("buffer-count = 16", "config-string = shown in the detail");
        ini.run("verify", "7.3", "--count-frames", "500", "--seed", "8").ok();
        browser.click("#aoe-exports tr[data-export='web1'] button[data-action='edit']");
        long r = refreshes();
        Browser.waitFor("a refresh", Duration.ofSeconds(10), () -> refreshes() > r);
        browser.script("window.scrollTo(0, 0);");
        Path shot = Path.of("target/webconsole-aoe.png").toAbsolutePath();
        browser.screenshot(shot);
        System.out.println("web console screenshot: " + shot);
        assertTrue(Files.size(shot) > 10_000);
    }

    /** The placeholder (the greyed default) and the value of a form field. */
    static String placeholder(String id) {
        return String.valueOf(browser.script("return document.getElementById(arguments[0]).placeholder;", id));
    }

    static String value(String id) {
        return String.valueOf(browser.script("return document.getElementById(arguments[0]).value;", id));
    }

    @Test
    @Order(10)
    void settingsAtTheirDefaultShowTheValueInEffect() throws IOException {
        web1("buffer-count = 16");
        // the create form: empty fields, the defaults greyed in them
        assertEquals("", value("aoe-create-buffer-count"));
        assertEquals("64", placeholder("aoe-create-buffer-count"));
        assertEquals("afpacket", placeholder("aoe-create-transport"));
        assertEquals("false", placeholder("aoe-create-read-only"));
        assertEquals("AOEDE-{shelf}-{slot}", placeholder("aoe-create-serial"));
        assertEquals("", placeholder("aoe-create-shelf"), "no default");
        assertEquals("rgb(153, 153, 153)", browser.script(
                "return getComputedStyle(document.getElementById('aoe-create-transport'), '::placeholder').color;"), "greyed");
        // the edit form: what the .cfg sets as a value, what it leaves out as the default in effect
        browser.click("#aoe-exports tr[data-export='web1'] button[data-action='edit']");
        Browser.waitFor("the edit form", Duration.ofSeconds(10), () -> "16".equals(value("aoe-edit-buffer-count")));
        assertEquals("", value("aoe-edit-transport"));
        assertEquals("afpacket", placeholder("aoe-edit-transport"));
        assertEquals("", value("aoe-edit-serial"));
        assertEquals("AOEDE-7-3", placeholder("aoe-edit-serial"), "the default for this export's address");
        assertEquals("AOEDE-7-3", Initiator.field(ini.run("identify", "7.3").ok().out(), "serial"), "the value in effect");
        assertEquals("true", placeholder("aoe-edit-enabled"));
        assertEquals(cfgText("web1").contains("model"), !value("aoe-edit-model").isEmpty());
    }

    /** The IOPS cell of an export as a number, -1 while it shows none. */
    static long iops(String export) {
        String v = cell(export, "iops");
        return v == null || !v.matches("\\d+") ? -1 : Long.parseLong(v);
    }

    static Process load(String name, int seconds) throws IOException {
        return ini.start(work.resolve(name + ".out"), "bench", "7.3", "--pattern", "randwrite", "--qd", "8",
                "--seconds", String.valueOf(seconds));
    }

    @Test
    @Order(11)
    void ratesMoveUnderLoad() throws Exception {
        web1();
        Process bench = load("bench1", 40);
        try {
            Browser.waitFor("IOPS under load", Duration.ofSeconds(30), () -> iops("web1") > 0);
            long first = iops("web1");
            String mbs = cell("web1", "writeRate");
            Browser.waitFor("the IOPS to change", Duration.ofSeconds(20), () -> iops("web1") > 0 && iops("web1") != first);
            System.out.println("web console rates: IOPS " + first + " then " + iops("web1") + ", MB/s written " + mbs);
            assertTrue(Double.parseDouble(mbs) > 0, mbs);
            assertTrue(Long.parseLong(cell("web1", "requests")) > 0);
            Browser.waitFor("the chart", Duration.ofSeconds(10), () -> ((Number) browser.script(
                    "return document.querySelectorAll('#aoe-exports tr[data-export=\"web1\"] td[data-col=chart] svg polyline').length;"))
                    .longValue() >= 1);
        } finally {
            bench.destroyForcibly();
            bench.waitFor();
        }
        Browser.waitFor("the IOPS to fall to 0 after the load", Duration.ofSeconds(20), () -> iops("web1") == 0);
    }

    /** What of the Actions column's buttons lies outside the viewport, row by row (empty: nothing). */
    static String actionsOutside() {
        return String.valueOf(browser.script("window.scrollTo(0, 0);"
                + "var w = window.innerWidth, bad = [];"
                + "document.querySelectorAll('#aoe-exports tbody tr[data-export]').forEach(function (tr) {"
                + "  var n = tr.getAttribute('data-export'), b = tr.querySelectorAll('td[data-col=actions] button');"
                + "  if (b.length === 0) { bad.push(n + ': no buttons'); }"
                + "  b.forEach(function (x) { var r = x.getBoundingClientRect();"
                + "    if (r.left < 0 || r.right > w) { bad.push(n + ' ' + x.textContent + ' right=' + r.right + ' > ' + w); } });"
                + "});"
                + "return bad.join('; ');"));
    }

    @Test
    @Order(12)
    void fitsA1280PixelWindowAlsoWithLongStates() throws Exception {
        web1();
        Path other = work.resolve("web2.img");
        Fixture.sparse(other, SECTORS * 512);
        // a newcomer claiming web1's address is refused with a long message; one on a missing interface waits
        appliance.writeExport("clash", "shelf = 7\nslot = 3\ninterfaces = " + t0 + "\nfile = " + other + "\n");
        appliance.writeExport("nowhere", "shelf = 7\nslot = 5\ninterfaces = aoenope9\nfile = " + other + "\n");
        Browser.waitFor("clash refused", Duration.ofSeconds(30),
                () -> String.valueOf(cell("clash", "state")).startsWith("refused: e7.3 is already served by "));
        Browser.waitFor("nowhere waiting", Duration.ofSeconds(30),
                () -> String.valueOf(cell("nowhere", "state")).startsWith("waiting for interface aoenope9"));
        System.out.println("web console long states: " + cell("clash", "state") + " | " + cell("nowhere", "state"));
        assertEquals("serving", cell("web1", "state"));
        Process bench = load("bench2", 40);
        try {
            Browser.waitFor("IOPS under load", Duration.ofSeconds(30), () -> iops("web1") > 0);
            browser.click("#aoe-exports tr[data-export='clash'] button[data-action='edit']");
            Browser.waitFor("the detail of clash", Duration.ofSeconds(10),
                    () -> browser.text("#aoe-d-state").startsWith("refused: e7.3 is already served by "));

            browser.viewport(1280, 1000);
            assertEquals(1280L, ((Number) browser.script("return window.innerWidth;")).longValue());
            long r = refreshes();
            Browser.waitFor("a refresh", Duration.ofSeconds(10), () -> refreshes() > r);
            String outside = actionsOutside();
            System.out.println("web console at 1280: page scrollWidth "
                    + browser.script("return document.documentElement.scrollWidth;") + ", exports table right edge "
                    + browser.script("return document.getElementById('aoe-exports').getBoundingClientRect().right;")
                    + ", the page's own area's right edge "
                    + browser.script("return document.getElementById('aoe').getBoundingClientRect().right;"));
            Path shot = Path.of("target/webconsole-aoe-1280.png").toAbsolutePath();
            browser.screenshot(shot);
            assertTrue(Files.size(shot) > 10_000);
            assertEquals("", outside, "every Actions button inside a 1280-pixel window");

            browser.click("#aoe-exports tr[data-export='web1'] button[data-action='edit']");
            browser.viewport(1920, 1080);
            long r2 = refreshes();
            Browser.waitFor("a refresh", Duration.ofSeconds(10), () -> refreshes() > r2);
            assertEquals("", actionsOutside());
            browser.script("window.scrollTo(0, 0);");
            shot = Path.of("target/webconsole-aoe-1920.png").toAbsolutePath();
            browser.screenshot(shot);
            assertTrue(Files.size(shot) > 10_000);
            System.out.println("web console screenshots: target/webconsole-aoe-1280.png, target/webconsole-aoe-1920.png");
        } finally {
            bench.destroyForcibly();
            bench.waitFor();
            browser.viewport(1600, 1300);
        }
        appliance.deleteExport("clash");
        appliance.deleteExport("nowhere");
        Browser.waitFor("the rows to go", Duration.ofSeconds(20),
                () -> cell("clash", "state") == null && cell("nowhere", "state") == null);
        assertEquals("serving", cell("web1", "state"));
    }

    @Test
    @Order(20)
    void deleteThroughThePage() throws IOException {
        web1();
        assertTrue(Files.exists(cfg("web1")));
        browser.script("document.getElementById('aoe-msg').textContent = '';");
        browser.click("#aoe-exports tr[data-export='web1'] button[data-action='delete']");
        Browser.waitFor("the confirmation", Duration.ofSeconds(5), () -> browser.alertText().contains("web1"));
        browser.acceptAlert();
        Browser.waitFor("a message", Duration.ofSeconds(20), () -> !message().isEmpty());
        assertEquals("export 'web1' deleted", message());
        Browser.waitFor("the .cfg to go", Duration.ofSeconds(10), () -> !Files.exists(cfg("web1")));
        Browser.waitFor("the row to go", Duration.ofSeconds(10), () -> cell("web1", "state") == null);
        Browser.waitFor("the export to stop answering", Duration.ofSeconds(20),
                () -> ini.run("identify", "7.3", "--tries", "1", "--timeout-ms", "300").exit() != 0);
        assertTrue(Files.exists(image), "the image file stays");
    }

    static boolean present(String css) {
        return Boolean.TRUE.equals(browser.script("return document.querySelector(arguments[0]) !== null;", css));
    }

    static String show(String export) {
        Sh.Result r = appliance.client("aoe:show " + export);
        assertEquals(0, r.exit(), r.out());
        return r.out();
    }

    @Test
    @Order(21)
    void freezeAndUnfreezeThroughThePage() throws Exception {
        Path img = work.resolve("frz.img");
        Fixture.sparse(img, SECTORS * 512);
        // throttled so that a merge of a few MiB lasts long enough for the page to show it
        appliance.writeExport("frz", "shelf = 7\nslot = 4\ninterfaces = " + t0 + "\nfile = " + img
                + "\nextensions = freeze\nfreeze.merge-rate = 128K\n");
        Browser.waitFor("frz serving in the table", Duration.ofSeconds(30), () -> "serving".equals(cell("frz", "state")));
        String row = "#aoe-exports tr[data-export='frz'] ";
        Browser.waitFor("the Freeze button", Duration.ofSeconds(10), () -> present(row + "button[data-action='freeze']"));
        String v = ini.run("verify", "7.4", "--seed", "10", "--count-frames", "500").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        String before = FreezeIT.sha256(img);

        String frozen = act(() -> browser.click(row + "button[data-action='freeze']"));
        assertTrue(frozen.startsWith("export 'frz': FROZEN"), frozen);
        Browser.waitFor("the page to show frz frozen", Duration.ofSeconds(10),
                () -> String.valueOf(cell("frz", "state")).contains("\u00b7 frozen (") && present(row + "button[data-action='unfreeze']"));
        assertTrue(show("frz").contains("FROZEN"), show("frz"));

        v = ini.run("verify", "7.4", "--seed", "11", "--count-frames", "4000", "--qd", "16").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals(before, FreezeIT.sha256(img), "the image is byte-for-byte unchanged while frozen under writes");
        String s = show("frz");
        var m = Pattern.compile("FROZEN \\((\\d+) sectors in the shadow\\)").matcher(s);
        assertTrue(m.find(), s);
        long shadowSectors = Long.parseLong(m.group(1));
        System.out.println("web console freeze: " + shadowSectors + " sectors in the shadow, merged at 128 KiB/s");
        assertTrue(shadowSectors * 512 >= 512 * 1024, "enough in the shadow for a merge of several seconds: " + s);
        Browser.waitFor("the shadow's size on the page", Duration.ofSeconds(10),
                () -> String.valueOf(cell("frz", "state")).contains(" in the shadow)") && !String.valueOf(cell("frz", "state")).contains("(0 B"));

        String unfrozen = act(() -> browser.click(row + "button[data-action='unfreeze']"));
        assertTrue(unfrozen.startsWith("export 'frz': MERGING"), unfrozen);
        // 128 KiB/s over at least 512 KiB: still merging when the page refreshes after the click
        Browser.waitFor("the merge's progress on the page", Duration.ofSeconds(10),
                () -> String.valueOf(cell("frz", "state")).matches(".* \u00b7 merging \\d+%")
                        && present(row + "button[data-action='merging'][disabled]"));
        assertTrue(show("frz").contains("MERGING"), show("frz"));
        assertFalse(present(row + "button[data-action='unfreeze']"), "no Unfreeze while merging");
        Browser.waitFor("the end of the merge on the page", Duration.ofSeconds(120),
                () -> "serving".equals(cell("frz", "state")) && present(row + "button[data-action='freeze']"));
        s = show("frz");
        assertTrue(s.contains("freeze   not frozen"), s);
        assertFalse(Files.exists(appliance.home.resolve("data/aoede/shadow/frz.shadow")), "shadow removed after the merge");
        assertNotEquals(before, FreezeIT.sha256(img), "the merge wrote the frozen-time writes into the image");
        // straight from the image now: what the initiator wrote while frozen
        v = ini.run("verify", "7.4", "--seed", "11", "--count-frames", "4000", "--qd", "16", "--phase", "read").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertFalse(browser.text("#aoe-exports tbody").contains("frozen"), browser.text("#aoe-exports tbody"));
        assertFalse(browser.text("#aoe-exports tbody").contains("merging"), browser.text("#aoe-exports tbody"));
    }
}
