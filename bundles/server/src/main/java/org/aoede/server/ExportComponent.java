package org.aoede.server;

import java.util.Map;

import org.aoede.api.ExportInfo;
import org.aoede.api.ExportState;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One export per factory configuration {@code etc/org.aoede.export-NAME.cfg}. Validates the
 * configuration and hands it to the {@link ExportRegistry}; a bad file is refused with a log line
 * naming the file, the key and the reason, and a bad edit of a running export leaves it
 * serving with its last good configuration.
 */
@Component(configurationPid = ExportSettings.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
public class ExportComponent {
    private static final Logger LOG = LoggerFactory.getLogger(ExportComponent.class);

    @Reference
    ExportRegistry registry;

    String pid;
    /** Where the configuration came from: the .cfg file, or the PID. */
    String source;
    /** Last good settings; null if the configuration was never valid. */
    volatile ExportSettings settings;
    /** Set when the export was refused for a reason only a configuration change can clear. */
    volatile String refusal;
    volatile Export running;
    /** The configured key/values as written in the .cfg (framework keys left out). */
    volatile Map<String, String> configured = Map.of();
    /**
     * What {@link AdminService} shows as the configuration: {@link #configured} once an edit has
     * been applied, so a tool that waits for its key to show sees the live state that goes with it.
     */
    volatile Map<String, String> shown = Map.of();
    /** The export's name, known even when its configuration is invalid. */
    volatile String name;
    private volatile ExportState state = ExportState.NEW;
    /** Why, for the state set by the target (see {@link ExportInfo#status}): "for interface eth1", a refusal. */
    private volatile String reason = "";
    private volatile String editRefused;
    private volatile String missingExtensions = "";

    @Activate
    void activate(Map<String, Object> props) {
        pid = String.valueOf(props.get("service.pid"));
        source = source(props);
        name = name(pid, props);
        configured = configured(props);
        shown = configured;
        try {
            settings = ExportSettings.parse(name(pid, props), props);
        } catch (ExportSettings.Invalid e) {
            LOG.error("export {}: refused: {}", source, e.getMessage());
            status(ExportState.INVALID, e.getMessage());
        }
        registry.put(this);
    }

    @Modified
    void modified(Map<String, Object> props) {
        configured = configured(props);
        ExportSettings next;
        try {
            next = ExportSettings.parse(name(pid, props), props);
        } catch (ExportSettings.Invalid e) {
            if (settings == null) {
                LOG.error("export {}: refused: {}", source, e.getMessage());
                status(ExportState.INVALID, e.getMessage());
            } else {
                LOG.error("export {}: edit refused, still serving the last good configuration: {}",
                        source, e.getMessage());
                editRefused = e.getMessage();
            }
            shown = configured;
            return;
        }
        ExportSettings old = settings;
        settings = next;
        editRefused = null;
        refusal = null;
        if (old != null && running != null && next.enabled() && next.sameIdentity(old)) {
            registry.update(this, old);
        } else if (old != null && running != null && next.enabled() && next.sameAddress(old)) {
            registry.reopen(this, old);               // new file, window or mode: a short pause, no probe
        } else {
            registry.restart(this);
        }
        shown = configured;
    }

    @Deactivate
    void deactivate() {
        registry.remove(this);
    }

    void editRefused(String reason) {
        editRefused = reason;
    }

    void refuse(String reason) {
        refusal = reason;
        LOG.error("export {}: refused: {}", source, reason);
        status(ExportState.REFUSED, reason);
    }

    void status(ExportState s, String why) {
        reason = why;
        state = s;
    }

    /** The state; an export whose required extension is missing waits for it, whatever else it is. */
    ExportState state() {
        Export e = running;
        return e != null && !e.waitingFor().isEmpty() ? ExportState.WAITING : state;
    }

    /**
     * Set WAITING by the target while running: only the interfaces can be what it waits for (a
     * missing transport stops it; a missing extension shows in {@link #state()}, not in the field).
     */
    boolean waitsForInterface() {
        return running != null && state == ExportState.WAITING;
    }

    /** Why (see {@link #state()}), then what else an operator must know: missing extensions, a refused edit. */
    String detail() {
        String r = editRefused;
        Export e = running;
        java.util.List<String> waiting = e == null ? java.util.List.of() : e.waitingFor();
        String s = (waiting.isEmpty() ? reason : "for extension '" + String.join("', '", waiting) + "'")
                + missingExtensions + (r == null ? "" : " (last edit refused: " + r
                        + "; the .cfg still holds it: the export will not start after a restart until it is fixed)");
        return s.trim();
    }

    /** State and detail as one line, e.g. {@code serving (last edit refused: ...)}. */
    String status() {
        return ExportInfo.status(state(), detail());
    }

    /** The refused edit still in the .cfg (it will not start after a restart until fixed), or null. */
    String editRefused() {
        return editRefused;
    }

    void missingExtensions(java.util.List<String> names) {
        missingExtensions = names.isEmpty() ? "" : " (extension" + (names.size() > 1 ? "s " : " ")
                + String.join(", ", names) + " not installed)";
    }

    static Map<String, String> configured(Map<String, Object> props) {
        Map<String, String> m = new java.util.TreeMap<>();
        props.forEach((k, v) -> {
            if (!ExportSettings.isFrameworkKey(k)) {
                m.put(k, v instanceof String[] a ? String.join(",", a) : String.valueOf(v));
            }
        });
        return java.util.Collections.unmodifiableMap(m);
    }

    private static String source(Map<String, Object> props) {
        Object f = props.get("felix.fileinstall.filename");
        if (f != null) {
            String s = f.toString();
            int etc = s.lastIndexOf("/etc/");
            return etc >= 0 ? s.substring(etc + 1) : s.replaceFirst("^file:", "");
        }
        return String.valueOf(props.get("service.pid"));
    }

    /** The export's name: NAME of org.aoede.export-NAME.cfg, or of the PID org.aoede.export~NAME. */
    static String name(String pid, Map<String, Object> props) {
        Object f = props.get("felix.fileinstall.filename");
        if (f != null) {
            String file = f.toString();
            file = file.substring(file.lastIndexOf('/') + 1);
            String prefix = ExportSettings.PID + "-";
            if (file.startsWith(prefix) && file.endsWith(".cfg")) {
                return file.substring(prefix.length(), file.length() - 4);
            }
        }
        int tilde = pid.indexOf('~');
        return tilde >= 0 ? pid.substring(tilde + 1) : pid;
    }
}
