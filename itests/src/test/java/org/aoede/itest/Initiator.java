package org.aoede.itest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The project's initiator CLI, run inside the initiator's namespace. */
final class Initiator {
    private final String namespace;
    private final String ifname;

    Initiator(String namespace, String ifname) {
        this.namespace = namespace;
        this.ifname = ifname;
    }

    static String jar() {
        return System.getProperty("aoede.initiator", "../bundles/initiator/target/aoede-initiator.jar");
    }

    private List<String> command(String command, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                System.getProperty("java.home") + "/bin/java", "-jar", jar(), command, "-i", ifname));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** Runs {@code aoede-initiator COMMAND -i IFNAME ARGS...}. */
    Sh.Result run(String command, String... args) {
        return Sh.run(600, command(command, args));
    }

    /**
     * Starts {@code aoede-initiator COMMAND -i IFNAME ARGS...} in the background (a workload that
     * runs across what the test does meanwhile), stdout and stderr into {@code out}.
     */
    Process start(Path out, String command, String... args) throws IOException {
        return new ProcessBuilder(command(command, args)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** A key=value field from the output, e.g. {@code field(out, "status")}. */
    static String field(String out, String key) {
        Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(key) + "=(\"[^\"]*\"|\\S+)").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no " + key + "= in: " + out);
        }
        String v = m.group(1);
        return v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
