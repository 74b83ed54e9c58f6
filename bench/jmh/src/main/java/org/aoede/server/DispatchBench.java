package org.aoede.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.aoede.api.BlockStore;
import org.aoede.api.Extension;
import org.aoede.api.Link;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server's data path without the network: a received frame (direct buffer, as the AF_PACKET
 * transport delivers it) through {@code Port.onFrame} → {@code Export.handle} → an in-memory store →
 * the reply handed to a link that only counts it. What a request costs the appliance in Java,
 * system calls excluded. Lives in the server bundle's package to reach its package-private classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBench {
    static final long PORT_MAC = 0x02_00_00_00_00_01L;
    static final long HOST = 0x02_00_00_00_0a_01L;
    static final int SHELF = 1;
    static final int SLOT = 0;
    static final long SECTORS = 1 << 17;          // 64 MiB

    /** Sectors a request: 2 (MTU 1500) or 17 (MTU 9000). */
    @Param({"2", "17"})
    int sectors;

    /**
     * {@code none}, or {@code negotiated}: the export uses one extension whose hooks do nothing and the
     * host negotiated the name it provides: the per-frame cost of the extension bookkeeping itself.
     */
    @Param({"none", "negotiated"})
    String extensions;

    ScheduledExecutorService timer;
    ExportRegistry registry;
    Port port;
    CountingLink link;
    Path dir;
    ByteBuffer read;
    ByteBuffer write;
    long slots;
    long next;

    /** Counts what the port sends; copies nothing. */
    static final class CountingLink implements Link {
        final int mtu;
        long sent;
        long bytes;

        CountingLink(int mtu) {
            this.mtu = mtu;
        }

        @Override public String name() { return "bench0"; }
        @Override public boolean isUp() { return true; }
        @Override public long mac() { return PORT_MAC; }
        @Override public int mtu() { return mtu; }

        @Override
        public boolean send(ByteBuffer frame) {
            sent++;
            bytes += frame.remaining();
            return true;
        }

        @Override public void close() { }
    }

    /** Provides one name and hooks nothing: what is left is the export's own per-initiator work. */
    static final class NoOpExtension implements Extension {
        @Override public java.util.Set<String> provides() { return java.util.Set.of("bench_noop"); }
    }

    /** A store over one direct buffer: the cost of the copy, nothing of a file system. */
    static final class MemoryStore implements BlockStore {
        final ByteBuffer data;

        MemoryStore(long sectors) {
            data = ByteBuffer.allocateDirect(Math.toIntExact(sectors * SECTOR));
        }

        @Override public long sectors() { return data.capacity() / SECTOR; }
        @Override public boolean readOnly() { return false; }

        @Override
        public void read(long lba, ByteBuffer dst) {
            dst.put(dst.position(), data, (int) (lba * SECTOR), dst.remaining());
            dst.position(dst.limit());
        }

        @Override
        public void write(long lba, ByteBuffer src) {
            data.put((int) (lba * SECTOR), src, src.position(), src.remaining());
            src.position(src.limit());
        }

        @Override public void flush() { }
        @Override public String describe() { return "memory"; }
        @Override public void close() { }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        int mtu = sectors <= 2 ? 1500 : 9000;
        timer = Executors.newSingleThreadScheduledExecutor();
        dir = Files.createTempDirectory("aoede-jmh");
        registry = new ExportRegistry();
        registry.activate();
        link = new CountingLink(mtu);
        port = new Port("bench0", "bench", registry);
        port.link(link);
        port.linkUp(link);
        ExportSettings s = ExportSettings.parse("bench", Map.of("shelf", String.valueOf(SHELF),
                "slot", String.valueOf(SLOT), "interfaces", "bench0", "file", "/dev/null/not-opened"));
        StateFile stateFile = new StateFile(dir.resolve("bench.state"), timer);
        LiveState live = stateFile.load(new StateFile.Configured(s.configString(), s.allowedMacs()));
        Export export = new Export(s, "bench", new MemoryStore(SECTORS), stateFile, live);
        port.attach(export);
        port.activate(export);
        if (extensions.equals("negotiated")) {
            export.extensions(new Extension[] {new NoOpExtension()});
            new Call(port).set(export, export.initiators.computeIfAbsent(HOST, Initiator::new)).negotiate("bench_noop");
        }
        read = request(Ata.AFLAG_EXTENDED, Ata.CMD_READ_EXT, 0);
        write = request(Ata.AFLAG_EXTENDED | Ata.AFLAG_WRITE, Ata.CMD_WRITE_EXT, sectors * Ata.SECTOR);
        slots = SECTORS / sectors;
    }

    private ByteBuffer request(int aflags, int cmd, int dataBytes) {
        ByteBuffer f = ByteBuffer.allocateDirect(Ata.DATA + dataBytes);
        Aoe.putHeader(f, PORT_MAC, HOST, 0, 0, SHELF, SLOT, Aoe.CMD_ATA, 0x8000_0001);
        Ata.putHeader(f, aflags, 0, sectors, cmd, 0);
        return f;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (link.sent == 0) {
            throw new IllegalStateException("no reply was sent: the benchmark measured nothing");
        }
        registry.deactivate();
        timer.shutdownNow();
    }

    private long nextLba() {
        long n = next++;
        return (n * 0x9E3779B97F4A7C15L >>> 1) % slots * sectors;   // scattered, like randread
    }

    @Benchmark
    public long readRequest() {
        ByteBuffer f = read;
        Ata.setLba(f, nextLba());
        Aoe.setTag(f, (int) next | Aoe.TAG_USERLAND);
        f.clear();
        port.onFrame(link, f);
        return link.sent;
    }

    @Benchmark
    public long writeRequest() {
        ByteBuffer f = write;
        Ata.setLba(f, nextLba());
        Aoe.setTag(f, (int) next | Aoe.TAG_USERLAND);
        f.clear();
        port.onFrame(link, f);
        return link.sent;
    }
}
