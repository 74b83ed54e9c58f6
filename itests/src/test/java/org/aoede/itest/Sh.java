package org.aoede.itest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands and captures their output. */
final class Sh {
    record Result(int exit, String out) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + ": " + out);
            }
            return this;
        }
    }

    private Sh() {
    }

    static Result run(long timeoutSeconds, String... cmd) {
        return run(timeoutSeconds, Arrays.asList(cmd));
    }

    static Result run(long timeoutSeconds, List<String> cmd) {
        return run(timeoutSeconds, null, cmd);
    }

    /** Runs a command with {@code stdin} (null: none) fed to it. */
    static Result run(long timeoutSeconds, String stdin, List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                reader.join(2000);
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd)
                        + "\n" + (out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)));
            }
            reader.join();
            return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<String> cmd(String... parts) {
        return new ArrayList<>(Arrays.asList(parts));
    }
}
