package org.aoede.webconsole;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.aoede.api.ExportAdmin;
import org.aoede.api.Freezer;
import org.aoede.api.ExportInfo;
import org.aoede.api.ExportStats;
import org.aoede.api.Json;
import org.aoede.api.LatencyText;
import org.aoede.api.PortInfo;
import org.aoede.netif.NetInterface;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The "AoE" page of the Felix web console ({@code /system/console/aoe}): every export with its
 * state and live statistics, and forms that change exports through {@link ExportAdmin} (the same
 * validation and persistence as the shell).
 *
 * <ul>
 * <li>{@code GET /system/console/aoe}: the page (the console wraps it in its frame);</li>
 * <li>{@code GET /system/console/aoe/data.json}: exports and interfaces, polled every 2 s;</li>
 * <li>{@code POST /system/console/aoe/action.json}: one change; answers {@code {"ok":..,"message":..}}.</li>
 * </ul>
 *
 * The Felix web console 4.8 has no CSRF protection of its own (it authenticates every request
 * with HTTP basic auth against Karaf's JAAS realm, which a browser replays on cross-site
 * requests too). So a change must carry the page's token in the {@code X-AoE-Token} header: a
 * cross-site form cannot set a header, a cross-site script cannot read the token, and a
 * cross-origin {@code fetch} with that header needs a CORS preflight that is never granted. The
 * token is an HMAC of the user name under a key made when the component starts. A request
 * whose {@code Origin} header names another origin is refused as well.
 */
@Component(service = Servlet.class, property = {
        "felix.webconsole.label=aoe",
        "felix.webconsole.title=AoE",
        "felix.webconsole.category=AoEde"
})
public class AoePlugin extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "aoe";
    static final String TOKEN_HEADER = "X-AoE-Token";
    private static final String PREFIX = "k:";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ExportAdmin admin;

    /** The freeze extension's control, while that bundle is installed. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Freezer freezer;

    private final byte[] secret = new byte[32];

    public AoePlugin() {
        new SecureRandom().nextBytes(secret);
    }

    // ---- GET -------------------------------------------------------------------------------

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String uri = req.getRequestURI();
        if (uri.endsWith("/" + LABEL + "/data.json")) {
            ExportAdmin a = admin;
            resp.setHeader("Cache-Control", "no-store");
            if (a == null) {
                json(resp, 503, Map.of("ok", false, "message", "the AoE target is not running"));
                return;
            }
            json(resp, 200, data(a, freezer));
            return;
        }
        if (uri.endsWith("/" + LABEL) || uri.endsWith("/" + LABEL + "/")) {
            page(req, resp);
            return;
        }
        resp.sendError(HttpServletResponse.SC_NOT_FOUND);
    }

    private void page(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ExportAdmin a = admin;
        // Inside the console frame the console has set the content type and opened the writer.
        if (resp.getContentType() == null) {
            resp.setContentType("text/html;charset=UTF-8");
        }
        PrintWriter w = resp.getWriter();
        String base = pluginRoot(req);
        w.println("<style>" + resource("aoe.css") + "</style>");
        w.println("<div id='aoe' data-base='" + Text.html(base) + "' data-token='" + Text.html(token(req)) + "'>");
        if (a == null) {
            w.println("<p class='aoe-msg aoe-error'>The AoE target (bundle aoede-server) is not running.</p></div>");
            return;
        }
        w.println("<p id='aoe-msg' class='aoe-msg' role='status' aria-live='polite'></p>");
        w.println("<noscript><p class='aoe-msg aoe-error'>This page needs JavaScript.</p></noscript>");

        w.println("<h2>Exports <span id='aoe-updated' class='aoe-quiet'></span></h2>");
        // Rates and the chart are computed by the page from its successive polls (aoe.js).
        w.println("<table id='aoe-exports' class='nicetable aoe-table'><thead><tr>"
                + "<th title='and address'>Name</th><th>State</th><th>Interfaces</th><th>File</th><th>Size</th>"
                + "<th>Clients</th><th>Requests</th><th title='and bytes read'>Reads</th><th title='and bytes written'>Writes</th>"
                + "<th title='reads and writes per second'>IOPS</th><th>MB/s read</th><th>MB/s written</th>"
                + "<th title='IOPS over the last 5 minutes, from this page&#39;s polls'>Last 5 min</th>"
                + "<th>Errors</th><th>Drops</th><th>Dup.</th><th>p50</th><th>p99</th><th>Actions</th>"
                + "</tr></thead><tbody></tbody></table>");
        w.println("<div id='aoe-detail' hidden></div>");

        w.println("<h2>Interfaces</h2>");
        w.println("<table id='aoe-ports' class='nicetable aoe-table'><thead><tr>"
                + "<th>Interface</th><th>Transport</th><th>Up</th><th>MAC</th><th>MTU</th><th>Sectors/frame</th>"
                + "<th>Exports</th><th>Frames in</th><th>Frames out</th><th>Send failures</th><th>Ignored</th>"
                + "</tr></thead><tbody></tbody></table>");

        w.println("<h2>New export</h2>");
        w.println("<form id='aoe-create' class='aoe-form' method='post' action='" + Text.html(base) + "/action.json'>");
        w.println("<input type='hidden' name='action' value='create'>");
        w.println("<table class='nicetable aoe-settings'><tbody>");
        w.println("<tr><th><label for='aoe-create-name'>name</label></th><td><input id='aoe-create-name' name='name' "
                + "required pattern='[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}' size='40'></td>"
                + "<td class='aoe-quiet'>etc/org.aoede.export-NAME.cfg</td></tr>");
        Map<String, String> defaults = a.defaults();
        for (Map.Entry<String, String> k : a.keys().entrySet()) {
            String id = "aoe-create-" + k.getKey();
            // The interfaces field offers the kernel's interfaces, also those without an address.
            String list = k.getKey().equals("interfaces") ? " list='aoe-ifaces'" : "";
            // A key left empty gets its default: shown greyed in the field ("AOEDE-{shelf}-{slot}" as it is).
            String def = defaults.getOrDefault(k.getKey(), "");
            String placeholder = def.isEmpty() ? "" : " placeholder='" + Text.html(def) + "' title='default: " + Text.html(def) + "'";
            w.println("<tr><th><label for='" + Text.html(id) + "'>" + Text.html(k.getKey()) + "</label></th>"
                    + "<td><input id='" + Text.html(id) + "' name='" + Text.html(PREFIX + k.getKey()) + "' size='40'"
                    + list + placeholder + "></td>"
                    + "<td class='aoe-quiet'>" + Text.html(k.getValue()) + "</td></tr>");
        }
        w.println("</tbody></table>");
        w.println("<datalist id='aoe-ifaces'>");
        for (String n : interfaceNames()) {
            w.println("<option value='" + Text.html(n) + "'>");
        }
        w.println("</datalist>");
        w.println("<p><button type='submit' id='aoe-create-submit'>Create export</button></p></form>");
        w.println("<script type='application/json' id='aoe-keys'>" + Json.write(a.keys()) + "</script>");
        w.println("</div>");
        w.println("<script>" + resource("aoe.js") + "</script>");
    }

    /** The kernel's interfaces without loopback; empty if they cannot be listed (not Linux). */
    private static List<String> interfaceNames() {
        try {
            List<String> names = new ArrayList<>(NetInterface.names());
            names.remove("lo");
            names.sort(null);
            return names;
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }

    static Map<String, Object> data(ExportAdmin a) {
        return data(a, null);
    }

    static Map<String, Object> data(ExportAdmin a, Freezer freezer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", System.currentTimeMillis());
        List<Object> exports = new ArrayList<>();
        Map<String, String> defaults = a.defaults();
        for (ExportInfo e : a.exports()) {
            Map<String, Object> m = export(e);
            m.put("defaults", defaults(defaults, e.settings() == null ? Map.of() : e.settings()));
            Optional<Freezer.Status> f = freezer == null ? Optional.empty() : freezer.status(e.name());
            f.ifPresent(z -> m.put("freeze", Json.freeze(z)));
            exports.add(m);
        }
        out.put("exports", exports);
        List<Object> ports = new ArrayList<>();
        for (PortInfo p : a.ports()) {
            ports.add(Json.port(p));
        }
        out.put("ports", ports);
        return out;
    }

    /** The value in effect of each key this export's .cfg leaves out: the defaults, with {key} filled in. */
    static Map<String, String> defaults(Map<String, String> defaults, Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> d : defaults.entrySet()) {
            out.put(d.getKey(), fill(d.getValue(), settings));
        }
        return out;
    }

    private static final Pattern KEY_REF = Pattern.compile("\\{([a-z][a-z0-9.-]*)\\}");

    /** {@code AOEDE-{shelf}-{slot}} with shelf 1 and slot 2 is {@code AOEDE-1-2}; a key without a value stays as it is. */
    static String fill(String template, Map<String, String> values) {
        Matcher m = KEY_REF.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(v == null || v.isBlank() ? m.group() : v.trim()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The shared shape (org.aoede.api.Json), plus the quantiles as the page shows them. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> export(ExportInfo e) {
        Map<String, Object> m = Json.export(e);
        ExportStats s = e.stats();
        if (s != null && s.latency() != null) {
            Map<String, Object> st = (Map<String, Object>) m.get("stats");
            st.put("p50", LatencyText.UNICODE.quantile(s.latency(), 0.5));
            st.put("p99", LatencyText.UNICODE.quantile(s.latency(), 0.99));
        }
        return m;
    }

    // ---- POST ------------------------------------------------------------------------------

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        if (!req.getRequestURI().endsWith("/" + LABEL + "/action.json")) {
            json(resp, 404, Map.of("ok", false, "message", "no such action URL"));
            return;
        }
        String origin = req.getHeader("Origin");
        if (origin != null && !sameOrigin(req, origin)) {
            json(resp, 403, Map.of("ok", false, "message", "refused: request from another origin (" + origin + ")"));
            return;
        }
        String sent = req.getHeader(TOKEN_HEADER);
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                token(req).getBytes(StandardCharsets.UTF_8))) {
            json(resp, 403, Map.of("ok", false, "message", "refused: missing or wrong page token; reload the page"));
            return;
        }
        ExportAdmin a = admin;
        if (a == null) {
            json(resp, 503, Map.of("ok", false, "message", "the AoE target is not running"));
            return;
        }
        String action = param(req, "action");
        String name = param(req, "name").trim();
        try {
            String message = act(a, freezer, action, name, settings(req));
            json(resp, 200, Map.of("ok", true, "message", message));
        } catch (ExportAdmin.Refused e) {
            json(resp, 200, Map.of("ok", false, "message", "refused: " + e.getMessage()));
        } catch (RuntimeException e) {
            json(resp, 500, Map.of("ok", false, "message", "failed: " + e));
        }
    }

    /** Performs one change (freeze and unfreeze through {@code freezer}, null while that bundle is missing); returns what to tell the operator. */
    static String act(ExportAdmin a, Freezer freezer, String action, String name, Map<String, String> settings)
            throws ExportAdmin.Refused {
        if (name.isEmpty()) {
            throw new ExportAdmin.Refused("no export name given");
        }
        switch (action) {
            case "create" -> {
                return "export '" + name + "' created" + warnings(a.create(name, settings));
            }
            case "update" -> {
                if (settings.isEmpty()) {
                    throw new ExportAdmin.Refused("nothing changed");
                }
                List<String> warnings = a.update(name, settings);
                return "export '" + name + "' changed: " + String.join(", ", settings.keySet()) + warnings(warnings);
            }
            case "enable" -> {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("enabled", null); // back to the default: true
                return "export '" + name + "' enabled" + warnings(a.update(name, m));
            }
            case "disable" -> {
                a.update(name, Map.of("enabled", "false"));
                return "export '" + name + "' disabled";
            }
            case "delete" -> {
                a.delete(name);
                return "export '" + name + "' deleted";
            }
            case "reset-live" -> {
                a.resetLive(name);
                return "export '" + name + "': live config string, mask list and reservation reset to the configured values";
            }
            case "handover" -> {
                a.handover(name);
                return "export '" + name + "': handed over (released the image's lock, standing by)";
            }
            case "reserve" -> {
                a.reserve(name, macs(settings.getOrDefault("reservation", "")));
                return "export '" + name + "': reservation set";
            }
            case "freeze" -> {
                return "export '" + name + "': " + freezer(a, freezer, name).freeze(name).summary();
            }
            case "unfreeze" -> {
                return "export '" + name + "': " + freezer(a, freezer, name).unfreeze(name).summary();
            }
            default -> throw new ExportAdmin.Refused("unknown action '" + action + "'");
        }
    }

    /** What was accepted but cannot serve yet (an interface that does not exist), after the message. */
    static String warnings(List<String> warnings) {
        StringBuilder sb = new StringBuilder();
        for (String w : warnings) {
            sb.append("; warning: ").append(w);
        }
        return sb.toString();
    }

    /** The freeze service for an export that exists ("no export 'x'" before anything about freeze). */
    private static Freezer freezer(ExportAdmin a, Freezer f, String name) throws ExportAdmin.Refused {
        if (a.export(name).isEmpty()) {
            throw new ExportAdmin.Refused("no export '" + name + "'");
        }
        if (f == null) {
            throw new ExportAdmin.Refused("the freeze extension is not installed");
        }
        return f;
    }

    static List<String> macs(String list) {
        List<String> out = new ArrayList<>();
        for (String m : list.split("[,\\s]+")) {
            if (!m.isBlank()) {
                out.add(m.trim());
            }
        }
        return out;
    }

    /** The {@code k:KEY} parameters; a blank value means "remove the key" (back to its default). */
    private static Map<String, String> settings(HttpServletRequest req) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Enumeration<String> names = req.getParameterNames(); names.hasMoreElements(); ) {
            String p = names.nextElement();
            if (p.startsWith(PREFIX) && p.length() > PREFIX.length()) {
                String v = req.getParameter(p);
                out.put(p.substring(PREFIX.length()), v == null || v.isBlank() ? null : v.trim());
            }
        }
        return out;
    }

    private static String param(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        return v == null ? "" : v;
    }

    static boolean sameOrigin(HttpServletRequest req, String origin) {
        String host = req.getHeader("Host");
        if (host == null) {
            return false;
        }
        return origin.equalsIgnoreCase(req.getScheme() + "://" + host);
    }

    // ---- helpers ---------------------------------------------------------------------------

    String token(HttpServletRequest req) {
        String user = req.getRemoteUser();
        Object attr = req.getAttribute("org.osgi.service.http.authentication.remote.user");
        if (user == null && attr != null) {
            user = attr.toString();
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] t = mac.doFinal(("aoe-webconsole:" + (user == null ? "" : user)).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(t, 24));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pluginRoot(HttpServletRequest req) {
        Object root = req.getAttribute("felix.webconsole.pluginRoot");
        if (root instanceof String s && !s.isEmpty()) {
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        }
        Object app = req.getAttribute("felix.webconsole.appRoot");
        String appRoot = app instanceof String s ? s : req.getContextPath() + req.getServletPath();
        return appRoot + "/" + LABEL;
    }

    private static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.getWriter().write(Json.write(body));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = AoePlugin.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
