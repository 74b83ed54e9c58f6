package org.aoede.itest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Headless Chromium driven through chromedriver (W3C WebDriver), both running inside a network
 * namespace. The test runs outside it, so every HTTP request goes through {@link Http}: a small
 * Python relay started with {@code ip netns exec} (itests/browser/nsrelay.py). No Selenium: the
 * few WebDriver commands the test needs are plain JSON over HTTP.
 */
final class Browser implements AutoCloseable {
    static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    /** HTTP from inside a namespace. */
    static final class Http implements AutoCloseable {
        record Response(int status, String body) {
        }

        private final Process relay;
        private final OutputStream in;
        private final InputStream out;

        Http(String namespace) throws IOException {
            // failsafe runs in itests/; from the repository root the folder is itests/browser
            Path script = Path.of(System.getProperty("aoede.browserdir", "browser")).resolve("nsrelay.py").toAbsolutePath();
            if (!Files.exists(script)) {
                script = Path.of("itests/browser/nsrelay.py").toAbsolutePath();
            }
            relay = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", script.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = relay.getOutputStream();
            out = new BufferedInputStream(relay.getInputStream());
        }

        synchronized Response request(String method, String url, Map<String, String> headers, String body) {
            Map<String, Object> req = new LinkedHashMap<>();
            req.put("method", method);
            req.put("url", url);
            req.put("headers", headers == null ? Map.of() : headers);
            req.put("body", body);
            try {
                in.write((Json.write(req) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int c;
                while ((c = out.read()) != '\n') {
                    if (c < 0) {
                        throw new AssertionError("the namespace HTTP relay ended");
                    }
                    line.write(c);
                }
                String[] head = line.toString(StandardCharsets.US_ASCII).trim().split(" ");
                byte[] data = out.readNBytes(Integer.parseInt(head[1]));
                return new Response(Integer.parseInt(head[0]), new String(data, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AssertionError("namespace HTTP relay: " + e, e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
                relay.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // killed below
            }
            relay.destroyForcibly();
        }
    }

    private final Http http;
    private final Process driver;
    private final String base;
    private final String session;
    private final Path driverLog;

    /** Starts chromedriver and a headless Chromium in the namespace. */
    Browser(String namespace, Path work, int port) throws IOException {
        driverLog = work.resolve("chromedriver.log");
        driver = new ProcessBuilder("ip", "netns", "exec", namespace, chromedriver(), "--port=" + port,
                "--log-path=" + driverLog).redirectErrorStream(true)
                .redirectOutput(work.resolve("chromedriver.out").toFile()).start();
        http = new Http(namespace);
        base = "http://127.0.0.1:" + port;
        waitFor("chromedriver to answer", Duration.ofSeconds(30),
                () -> http.request("GET", base + "/status", null, null).status() == 200);
        Path profile = Files.createDirectories(work.resolve("chromium-profile"));
        List<String> args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1600,1300", "--user-data-dir=" + profile);
        Map<String, Object> chrome = new LinkedHashMap<>();
        chrome.put("args", args);
        String bin = chromium();
        if (bin != null) {
            chrome.put("binary", bin);
        }
        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("browserName", "chrome");
        caps.put("goog:chromeOptions", chrome);
        caps.put("unhandledPromptBehavior", "ignore");
        Map<String, Object> res = call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch", caps)));
        session = (String) ((Map<?, ?>) res.get("value")).get("sessionId");
    }

    private static String chromedriver() {
        for (String p : List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "chromedriver";
    }

    private static String chromium() {
        for (String p : List.of("/usr/bin/chromium", "/usr/lib/chromium/chromium")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    Http http() {
        return http;
    }

    // ---- WebDriver commands ----------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private Map<String, Object> call(String method, String path, Object body) {
        Http.Response r = http.request(method, base + path, Map.of("Content-Type", "application/json; charset=utf-8"),
                body == null ? null : Json.write(body));
        Object parsed;
        try {
            parsed = Json.parse(r.body());
        } catch (RuntimeException e) {
            throw new AssertionError("WebDriver " + method + " " + path + ": HTTP " + r.status() + " " + r.body());
        }
        if (r.status() != 200) {
            throw new WebDriverError(method + " " + path + ": HTTP " + r.status() + " " + r.body());
        }
        return (Map<String, Object>) parsed;
    }

    static final class WebDriverError extends AssertionError {
        private static final long serialVersionUID = 1L;

        WebDriverError(String message) {
            super(message);
        }
    }

    private String s(String rest) {
        return "/session/" + session + rest;
    }

    void open(String url) {
        call("POST", s("/url"), Map.of("url", url));
    }

    String find(String css) {
        Map<String, Object> v = call("POST", s("/element"), Map.of("using", "css selector", "value", css));
        return (String) ((Map<?, ?>) v.get("value")).get(ELEMENT);
    }

    /**
     * Finds and clicks. The page re-renders its table on every refresh, so an element found just
     * before a refresh is gone by the click ("stale element reference"): then find it again, as a
     * user would look again. A click that reached the element is never repeated.
     */
    void click(String css) {
        for (int attempt = 1; ; attempt++) {
            try {
                call("POST", s("/element/" + find(css) + "/click"), Map.of());
                return;
            } catch (WebDriverError e) {
                if (attempt == 3 || !e.getMessage().contains("stale element reference")) {
                    throw e;
                }
            }
        }
    }

    /** Clears the field and types the text, as a user would. */
    void type(String css, String text) {
        String e = find(css);
        call("POST", s("/element/" + e + "/clear"), Map.of());
        if (!text.isEmpty()) {
            call("POST", s("/element/" + e + "/value"), Map.of("text", text));
        }
    }

    String text(String css) {
        return (String) call("GET", s("/element/" + find(css) + "/text"), null).get("value");
    }

    Object script(String js, Object... args) {
        return call("POST", s("/execute/sync"), Map.of("script", js, "args", List.of(args))).get("value");
    }

    /** Resizes the window so that the page's viewport (window.innerWidth x innerHeight) is width x height. */
    void viewport(int width, int height) {
        call("POST", s("/window/rect"), Map.of("width", width, "height", height));
        List<?> inner = (List<?>) script("return [window.innerWidth, window.innerHeight];");
        int w = ((Number) inner.get(0)).intValue();
        int h = ((Number) inner.get(1)).intValue();
        if (w != width || h != height) {   // the window's frame, if the browser has one
            call("POST", s("/window/rect"), Map.of("width", 2 * width - w, "height", 2 * height - h));
        }
    }

    void acceptAlert() {
        call("POST", s("/alert/accept"), Map.of());
    }

    /** Dismisses the open alert or confirmation, if there is one (a test may have failed before answering it). */
    void dismissAlert() {
        try {
            call("POST", s("/alert/dismiss"), Map.of());
        } catch (WebDriverError e) {
            if (!e.getMessage().contains("no such alert")) {
                throw e;
            }
        }
    }

    String alertText() {
        return (String) call("GET", s("/alert/text"), null).get("value");
    }

    void screenshot(Path file) throws IOException {
        String b64 = (String) call("GET", s("/screenshot"), null).get("value");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(b64));
    }

    String driverLog() {
        try {
            return Files.exists(driverLog) ? Files.readString(driverLog) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static void waitFor(String what, Duration timeout, Supplier<Boolean> ok) {
        long end = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < end) {
            try {
                if (Boolean.TRUE.equals(ok.get())) {
                    return;
                }
            } catch (WebDriverError e) {
                last = e;
            }
            Appliance.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what
                + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", s(""), null);
            }
        } catch (AssertionError e) {
            // the driver is killed below anyway
        } finally {
            http.close();
            driver.destroy();
            try {
                if (!driver.waitFor(5, TimeUnit.SECONDS)) {
                    driver.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- JSON --------------------------------------------------------------------------------

    /** WebDriver's JSON through Jackson (the itests' test dependency): maps, lists, strings, numbers, booleans, null. */
    static final class Json {
        /** Whole numbers as Long, as the tests compare them. */
        private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

        private Json() {
        }

        static Object parse(String text) {
            try {
                return MAPPER.readValue(text, Object.class);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text, e);
            }
        }

        static String write(Object v) {
            try {
                return MAPPER.writeValueAsString(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
