package org.aoede.extension.crc;

import org.aoede.protocol.Crc8x4;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CRC8x4 ({@code crc8x4}): for an initiator that negotiated it, data replies (reads, IDENTIFY)
 * carry the four CRC bytes over their ATA header and data, and writes must carry them over the
 * request's ATA header and data. A write whose CRC does not match is counted
 * ({@code crc-mismatch}), logged at most once per initiator per {@link #LOG_INTERVAL_NANOS},
 * neither applied nor acknowledged: the initiator retransmits. A write without the four bytes is
 * refused with AoE error 2 ({@code crc-missing}): once negotiated, an unchecked write would defeat
 * the point, and an error tells a confused initiator more than silence. Write acknowledgements
 * and error replies carry no CRC. Initiators that did not negotiate are not touched.
 */
@Component(service = Extension.class, property = Extension.NAME + "=crc")
public final class CrcExtension implements Extension {
    public static final String NEGOTIATED_NAME = "crc8x4";
    static final String MISMATCH = "crc-mismatch";
    static final String MISSING = "crc-missing";
    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final String LAST_LOG = "crc.last-log";
    private static final Set<String> PROVIDES = Set.of(NEGOTIATED_NAME);
    private static final Logger LOG = LoggerFactory.getLogger(CrcExtension.class);

    @Override
    public Set<String> provides() {
        return PROVIDES;
    }

    @Override
    public int trailerBytes() {
        return Crc8x4.BYTES;
    }

    @Override
    public int beforeAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply) {
        if (!ctx.negotiated().contains(NEGOTIATED_NAME)) {
            return PASS;
        }
        int len = request.limit();
        if (len < Ata.HEADER) {
            return PASS;                            // the export drops it
        }
        int cmd = Ata.command(request);
        if (cmd != Ata.CMD_WRITE && cmd != Ata.CMD_WRITE_EXT) {
            return PASS;
        }
        int count = Ata.sectorCount(request);
        int end = Ata.DATA + count * Ata.SECTOR;
        if (count == 0 || len < end) {
            return PASS;                            // nothing to protect / too short: the export answers
        }
        if (len < end + Crc8x4.BYTES) {
            ctx.error(MISSING);
            int n = ctx.respond(request, reply, Aoe.HEADER);
            Aoe.toError(reply, Aoe.ERR_BAD_ARGUMENT);
            return n;
        }
        if (Crc8x4.verify(request, Aoe.HEADER, end)) {
            return PASS;
        }
        ctx.error(MISMATCH);
        logMismatch(ctx, request);
        return NO_REPLY;                            // not applied, not acknowledged: retransmitted
    }

    @Override
    public int afterAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply, int length) {
        if (length <= Ata.HEADER || !ctx.negotiated().contains(NEGOTIATED_NAME)) {
            return length;
        }
        if (Aoe.command(reply) != Aoe.CMD_ATA || Aoe.isError(reply)
                || (Ata.status(reply) & Ata.STATUS_ERR) != 0) {
            return length;                          // error replies carry no CRC
        }
        int cmd = Ata.command(request);             // the reply's register now holds the status
        if (cmd != Ata.CMD_READ && cmd != Ata.CMD_READ_EXT && cmd != Ata.CMD_IDENTIFY) {
            return length;
        }
        if (length + Crc8x4.BYTES > reply.capacity()) {
            return length;                          // cannot happen: the sector count leaves room
        }
        if (reply.limit() < length + Crc8x4.BYTES) {
            reply.limit(length + Crc8x4.BYTES);
        }
        return Crc8x4.append(reply, Aoe.HEADER, length);
    }

    private static void logMismatch(ExtensionContext ctx, ByteBuffer request) {
        Object o = ctx.attributes().computeIfAbsent(LAST_LOG, k -> new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS));
        if (!(o instanceof AtomicLong last)) {
            return;
        }
        long now = System.nanoTime();
        long prev = last.get();
        if (now - prev >= LOG_INTERVAL_NANOS && last.compareAndSet(prev, now)) {
            LOG.warn("export {}: CRC mismatch in a write from {} at LBA {} ({} sectors): not applied, not acknowledged"
                    + " (logged at most every {} s per initiator; count: crc-mismatch)",
                    ctx.exportName(), org.aoede.protocol.Mac.format(ctx.initiator()), Ata.lba(request),
                    Ata.sectorCount(request), TimeUnit.NANOSECONDS.toSeconds(LOG_INTERVAL_NANOS));
        }
    }
}
