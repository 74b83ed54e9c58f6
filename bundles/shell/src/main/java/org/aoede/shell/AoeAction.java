package org.aoede.shell;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import org.aoede.api.ExportAdmin;
import org.aoede.api.ExportAdmin.Refused;
import org.aoede.api.ExportInfo;
import org.aoede.api.Freezer;
import org.aoede.api.Json;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the aoe:* commands: a refused change becomes the command's error, with the admin's
 * message. A refusal is the operator's mistake, not a fault of the appliance: it is printed as it
 * is (no colour, no stack trace), logged as one WARN line, and ends the command with exit status 1
 * ({@code bin/aoe}, SSH exec). Karaf logs a {@link CommandException} only at DEBUG; anything else
 * a command throws is a real fault and keeps Karaf's ERROR with the stack trace.
 */
abstract class AoeAction implements Action {
    private static final Logger LOG = LoggerFactory.getLogger(AoeAction.class);

    @Reference
    ExportAdmin admin;

    /** The freeze bundle's service; null while that bundle is not installed. */
    @Reference(optional = true)
    Freezer freezer;

    @Override
    public Object execute() throws Exception {
        try {
            run();
        } catch (Refused e) {
            String message = "refused: " + e.getMessage();
            Command c = getClass().getAnnotation(Command.class);
            LOG.warn("{}:{} {}", c == null ? "aoe" : c.scope(), c == null ? "?" : c.name(), message);
            throw new CommandException(message, message);     // (help text printed as it is, message)
        }
        return null;
    }

    abstract void run() throws Refused;

    ExportInfo export(String name) throws Refused {
        return admin.export(name).orElseThrow(() -> new Refused("no export '" + name + "'"));
    }

    /** The freeze service, or a clear refusal when the freeze bundle is not installed. */
    Freezer freezer() throws Refused {
        if (freezer == null) {
            throw new Refused("the freeze extension is not installed (feature:install aoede-ext-freeze)");
        }
        return freezer;
    }

    /** The export's freeze state for views, empty if it does not use freeze or the bundle is missing. */
    java.util.Optional<Freezer.Status> freezeStatus(String name) {
        Freezer f = freezer;
        return f == null ? java.util.Optional.empty() : f.status(name);
    }

    /**
     * Config Admin delivers a change asynchronously: waits up to five seconds until the export's
     * snapshot (null once it is gone) passes {@code done}, and returns the latest snapshot.
     */
    ExportInfo await(String name, Predicate<ExportInfo> done) {
        long end = System.nanoTime() + 5_000_000_000L;
        ExportInfo e = admin.export(name).orElse(null);
        while (!done.test(e) && System.nanoTime() < end) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            e = admin.export(name).orElse(null);
        }
        return e;
    }

    /** Waits until the configured value of {@code key} is {@code value} (null: absent). */
    ExportInfo awaitSetting(String name, String key, String value) {
        return await(name, e -> e != null && Objects.equals(e.settings().get(key), value));
    }

    /** A change of one key; a null value removes it. */
    static Map<String, String> single(String key, String value) {
        Map<String, String> m = new HashMap<>();
        m.put(key, value);
        return m;
    }

    /** Applies one change (blank = remove the key), waits until the export has it, prints the result. */
    void change(String export, String key, String value) throws Refused {
        String v = value == null || value.isBlank() ? null : value.trim();
        List<String> warnings = admin.update(export, single(key, v));
        ExportInfo e = awaitSetting(export, key, v);
        System.out.println("export " + export + ": " + key + (v == null ? " unset (default)" : " = " + v)
                + (e == null ? "" : " (" + e.status() + ")"));
        warn(warnings);
    }

    /** Prints {@code value} as JSON (org.aoede.api.Json: the web console's writer and field names). */
    static void printJson(Object value) {
        System.out.println(Json.write(value));
    }

    /** What the admin accepted but what cannot serve yet (an interface that does not exist). */
    static void warn(List<String> warnings) {
        for (String w : warnings) {
            System.out.println("warning: " + w);
        }
    }

    /**
     * Karaf reads options only before the first argument; words after the arguments land in a
     * multi-valued argument. This applies those that name an option of this command (so
     * {@code aoe:mask NAME --add MAC} works as {@code aoe:mask --add MAC NAME}) and returns the
     * other words in order.
     */
    @SuppressWarnings("unchecked")
    List<String> trailingOptions(List<String> words) throws Refused {
        List<String> rest = new ArrayList<>();
        for (int i = 0; words != null && i < words.size(); i++) {
            String w = words.get(i);
            Field f = option(w);
            if (f == null) {
                rest.add(w);
                continue;
            }
            try {
                f.setAccessible(true);
                if (f.getType() == boolean.class) {
                    f.setBoolean(this, true);
                    continue;
                }
                if (++i == words.size()) {
                    throw new Refused("option " + w + " needs a value");
                }
                if (f.getType() == List.class) {
                    List<String> list = (List<String>) f.get(this);
                    list = list == null ? new ArrayList<>() : new ArrayList<>(list);
                    list.add(words.get(i));
                    f.set(this, list);
                } else {
                    f.set(this, words.get(i));
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return rest;
    }

    private Field option(String word) {
        if (!word.startsWith("-")) {
            return null;
        }
        for (Field f : getClass().getDeclaredFields()) {
            Option o = f.getAnnotation(Option.class);
            if (o != null && (o.name().equals(word) || List.of(o.aliases()).contains(word))) {
                return f;
            }
        }
        return null;
    }
}
