package org.aoede.itest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The setup most ITs share: a target namespace ({@code PREFIX-t}) and an initiator namespace
 * ({@code PREFIX-i}) joined by veth pairs {@code tK <-> iK}, one per MTU given, the built
 * appliance running in the target namespace and one {@link Initiator} per pair. {@link #close()}
 * stops the appliance and removes the namespaces, also when the constructor fails half way.
 */
final class Fixture implements AutoCloseable {
    final Path work;
    final Lan lan;
    final String tns;
    final String ins;
    final Appliance appliance;
    private final Initiator[] initiators;

    /** {@code new Fixture(work, 1500, 9000)}: pair 0 with MTU 1500, pair 1 with MTU 9000. */
    Fixture(Path work, int... mtus) throws IOException {
        this.work = work;
        this.lan = new Lan();
        Appliance a = null;
        try {
            tns = lan.namespace("t");
            ins = lan.namespace("i");
            initiators = new Initiator[mtus.length];
            for (int k = 0; k < mtus.length; k++) {
                lan.veth(t(k), tns, i(k), ins, mtus[k]);
                initiators[k] = new Initiator(ins, i(k));
            }
            a = new Appliance(work, tns);
            a.start();
        } catch (IOException | RuntimeException | Error e) {
            if (a != null) {
                a.close();
            }
            lan.close();
            throw e;
        }
        appliance = a;
    }

    /** The target's end of pair {@code k}. */
    String t(int k) {
        return lan.ifname("t" + k);
    }

    /** The initiator's end of pair {@code k}. */
    String i(int k) {
        return lan.ifname("i" + k);
    }

    /** The project's initiator on pair {@code k}. */
    Initiator initiator(int k) {
        return initiators[k];
    }

    /** A sparse image of {@code bytes} (its length set, nothing written) at {@code file}; returns the file. */
    static Path sparse(Path file, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return file;
    }

    /** Sparse images of {@code bytes} each, named {@code names} in the work folder. */
    void images(long bytes, String... names) throws IOException {
        for (String name : names) {
            sparse(work.resolve(name), bytes);
        }
    }

    /**
     * The text of an export's .cfg: shelf, slot, interfaces, file, then each of {@code extra} as a
     * line of its own (e.g. {@code "extensions = negotiation, crc"}).
     */
    static String exportCfg(int shelf, int slot, String interfaces, Path file, String... extra) {
        StringBuilder sb = new StringBuilder().append("shelf = ").append(shelf).append('\n')
                .append("slot = ").append(slot).append('\n')
                .append("interfaces = ").append(interfaces).append('\n')
                .append("file = ").append(file).append('\n');
        for (String e : extra) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }

    /** Writes export {@code name} (see {@link #exportCfg}); {@link #answering} waits for it. */
    void export(String name, int shelf, int slot, String interfaces, Path file, String... extra) throws IOException {
        appliance.writeExport(name, exportCfg(shelf, slot, interfaces, file, extra));
    }

    /** Waits (up to 60 s each) until export {@code name} (eSHELF.SLOT) answers on every one of {@code ifnames}. */
    void answering(String name, String address, String... ifnames) {
        for (String ifname : ifnames) {
            appliance.waitForLog("export " + name + ": e" + address + " answering on " + ifname, Duration.ofSeconds(60));
        }
    }

    @Override
    public void close() {
        try {
            appliance.close();
        } finally {
            lan.close();
        }
    }
}
