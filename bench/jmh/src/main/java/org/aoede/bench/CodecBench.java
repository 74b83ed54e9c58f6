package org.aoede.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.Crc8x4;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The frame codec (bundles/protocol) on direct buffers, as the AF_PACKET transport hands them over:
 * reading a request's headers, turning a request into its reply header, CRC8x4 over a frame's data.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBench {
    static final long TARGET = 0x02_00_00_00_00_01L;
    static final long HOST = 0x02_00_00_00_0a_01L;

    /** Sectors of data: 2 (MTU 1500) or 17 (MTU 9000). */
    @Param({"2", "17"})
    int sectors;

    ByteBuffer request;
    ByteBuffer reply;

    @Setup
    public void setup() {
        request = ByteBuffer.allocateDirect(9216);
        reply = ByteBuffer.allocateDirect(9216);
        Aoe.putHeader(request, TARGET, HOST, 0, 0, 1, 0, Aoe.CMD_ATA, 0x8000_1234);
        Ata.putHeader(request, Ata.AFLAG_EXTENDED | Ata.AFLAG_WRITE, 0, sectors, Ata.CMD_WRITE_EXT, 123_456L);
        for (int i = Ata.DATA; i < Ata.DATA + sectors * Ata.SECTOR; i++) {
            request.put(i, (byte) (i * 31));
        }
        request.limit(Ata.DATA + sectors * Ata.SECTOR);
    }

    /** Everything the dispatch reads of an ATA request before it touches the store. */
    @Benchmark
    public long parseAtaRequest() {
        ByteBuffer f = request;
        if (!Aoe.isAoe(f) || Aoe.isResponse(f)) {
            return -1;
        }
        long key = Aoe.shelf(f) << 8 | Aoe.slot(f);
        return key ^ Aoe.src(f) ^ Aoe.version(f) ^ Aoe.command(f) ^ Ata.command(f) ^ Ata.sectorCount(f)
                ^ Ata.lba(f) ^ Ata.dataLength(f.limit());
    }

    /** The reply header of an ATA request: copy of the 36 header bytes, R flag, our MAC, status. */
    @Benchmark
    public ByteBuffer buildAtaReply() {
        ByteBuffer r = reply;
        r.clear();
        r.put(0, request, 0, Ata.HEADER);
        Aoe.toResponse(r, TARGET);
        Aoe.setShelf(r, 1);
        Aoe.setSlot(r, 0);
        Ata.setStatus(r, Ata.STATUS_DRDY);
        Ata.setErrorReg(r, 0);
        Aoe.finish(r, Ata.HEADER);
        return r;
    }

    /** CRC8x4 over the ATA header and the sectors, as the crc extension computes per frame. */
    @Benchmark
    public int crc8x4() {
        return Crc8x4.compute(request, Aoe.HEADER, Ata.DATA + sectors * Ata.SECTOR);
    }
}
