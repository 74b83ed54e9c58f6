package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Config;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Reserve;

/**
 * One export on one port over a fake link and an in-memory store; builds request frames with
 * the protocol classes and returns what the port sent back.
 */
final class Harness implements AutoCloseable {
    static final long PORT_MAC = 0x02_00_00_00_00_01L;
    static final long HOST = 0x02_00_00_00_0a_01L;
    static final long OTHER = 0x02_00_00_00_0b_02L;
    static final int SHELF = 7;
    static final int SLOT = 3;

    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final ExportRegistry registry = new ExportRegistry();
    final FakeLink link;
    final Port port;
    final MemStore store;
    final StateFile stateFile;
    final Export export;

    Harness(Path dir, int mtu, long sectors, boolean readOnly) throws Exception {
        this(dir, mtu, sectors, readOnly, Map.of());
    }

    Harness(Path dir, int mtu, long sectors, boolean readOnly, Map<String, Object> extra) throws Exception {
        this(dir, mtu, readOnly, extra, new MemStore(sectors, readOnly));
    }

    /** Over a store of the test's own (e.g. one whose calls it lets go one by one). */
    Harness(Path dir, int mtu, boolean readOnly, Map<String, Object> extra, MemStore store) throws Exception {
        registry.activate();
        link = new FakeLink(PORT_MAC, mtu);
        port = new Port("fake0", "fake", registry);
        port.link(link);
        port.linkUp(link);
        this.store = store;
        Map<String, Object> props = new HashMap<>();
        props.put("shelf", String.valueOf(SHELF));
        props.put("slot", String.valueOf(SLOT));
        props.put("interfaces", "fake0");
        props.put("file", "/dev/null/not-opened");
        props.put("read-only", String.valueOf(readOnly));
        props.put("model", "Test Model XY");
        props.put("serial", "SN12345");
        props.putAll(extra);
        ExportSettings s = ExportSettings.parse("t", props);
        stateFile = new StateFile(dir.resolve("t.state"), timer);
        LiveState live = stateFile.load(new StateFile.Configured(s.configString(), s.allowedMacs()));
        export = new Export(s, "test", store, stateFile, live);
        port.attach(export);
        port.activate(export);
    }

    /** Delivers a request through the port; returns the one reply, or null if none was sent. */
    ByteBuffer send(ByteBuffer req) {
        link.sent.clear();
        port.onFrame(link, req);
        assertTrue(link.sent.size() <= 1, "at most one reply, got " + link.sent.size());
        return link.last();
    }

    /** Calls Export.handle directly; returns the reply (limit = length) or null for no reply. */
    ByteBuffer handle(ByteBuffer req, boolean broadcast) {
        ByteBuffer r = ByteBuffer.allocate(65536 + 64);
        Outcome o = export.handle(port, req, r, broadcast, new Outcome());
        assertTrue(!o.isLater(), "a reply now or none: this harness is no port");
        if (o.kind != Outcome.Kind.REPLY) {
            return null;
        }
        r.limit(o.length);
        return r;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        registry.deactivate();
    }

    // ---- frame builders ----

    static ByteBuffer header(int length, long src, int shelf, int slot, int command, int tag) {
        ByteBuffer f = ByteBuffer.allocate(length);
        Aoe.putHeader(f, PORT_MAC, src, 0, 0, shelf, slot, command, tag);
        return f;
    }

    static ByteBuffer ata(long src, int tag, int aflags, int cmd, int count, long lba, int dataBytes) {
        return ata(src, SHELF, SLOT, tag, aflags, cmd, count, lba, dataBytes);
    }

    static ByteBuffer ata(long src, int shelf, int slot, int tag, int aflags, int cmd, int count, long lba,
                          int dataBytes) {
        ByteBuffer f = header(Ata.HEADER + dataBytes, src, shelf, slot, Aoe.CMD_ATA, tag);
        Ata.putHeader(f, aflags, 0, count, cmd, lba);
        return f;
    }

    static ByteBuffer read(int tag, long lba, int count) {
        return ata(HOST, tag, Ata.AFLAG_EXTENDED, Ata.CMD_READ_EXT, count, lba, 0);
    }

    static ByteBuffer write(int tag, long lba, int count, byte fill) {
        ByteBuffer f = ata(HOST, tag, Ata.AFLAG_EXTENDED | Ata.AFLAG_WRITE, Ata.CMD_WRITE_EXT, count, lba,
                count * Ata.SECTOR);
        for (int i = Ata.DATA; i < f.limit(); i++) {
            f.put(i, fill);
        }
        return f;
    }

    static ByteBuffer config(long src, int tag, int sub, byte[] s) {
        ByteBuffer f = header(Config.STRING + s.length, src, SHELF, SLOT, Aoe.CMD_CONFIG, tag);
        Config.put(f, 0, 0, 0, sub, s);
        return f;
    }

    static ByteBuffer mask(long src, int tag, int sub, int[] commands, long[] macs) {
        ByteBuffer f = header(MacMask.HEADER + commands.length * MacMask.DIRECTIVE, src, SHELF, SLOT,
                Aoe.CMD_MASK, tag);
        MacMask.putHeader(f, sub, 0, commands.length);
        for (int i = 0; i < commands.length; i++) {
            MacMask.putDirective(f, i, commands[i], macs[i]);
        }
        return f;
    }

    static ByteBuffer reserve(long src, int tag, int sub, long... macs) {
        ByteBuffer f = header(Reserve.HEADER + 6 * macs.length, src, SHELF, SLOT, Aoe.CMD_RESERVE, tag);
        Reserve.put(f, sub, macs);
        return f;
    }
}
