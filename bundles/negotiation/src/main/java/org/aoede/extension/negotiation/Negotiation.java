package org.aoede.extension.negotiation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.osgi.service.component.annotations.Component;

/**
 * Extension negotiation (AoE command 0x23) and the coalesced read it can turn on (AoE command
 * 0x24). What an initiator negotiated is kept by the target per initiator MAC (through the
 * {@link ExtensionContext}), not here: stopping, updating or replacing this bundle loses nothing.
 *
 * <p>0x23 payload, after the 24-byte common header: a 16-bit length L, then L bytes of
 * NUL-separated names ending with a double NUL. L is read big-endian (network order, like every
 * AoE field); if that value is implausible (below 2, past the end of the frame, or no double NUL
 * inside) it is read little-endian (the original AoEde's host order on x86). The reply is the
 * request (header, L and the L bytes) echoed with the R flag, each accepted name upper-cased in
 * place. A malformed request gets no reply.
 *
 * <p>0x24 (coalesced read, only for an initiator that negotiated {@code coalesced_read}; others
 * get AoE error 1): after the 12-byte ATA header (ignored) a count byte, then count 16-byte
 * entries {tag[4] big-endian, lba[6] little-endian, reserved[5], sector count[1]}. Each entry is
 * answered by its own READ EXT reply under its own tag, exactly as a READ EXT request with that
 * tag would be; the 0x24 frame itself gets no reply.
 */
@Component(service = Extension.class, property = Extension.NAME + "=negotiation")
public final class Negotiation implements Extension {
    public static final int CMD_NEGOTIATE = 0x23;
    public static final int CMD_COALESCED_READ = 0x24;

    public static final String RESET = "reset";
    public static final String CONGESTION = "congestion";
    public static final String COALESCED_READ = "coalesced_read";

    /** Offset of the 16-bit length, of the names. */
    static final int O_LENGTH = Aoe.HEADER;
    static final int O_NAMES = Aoe.HEADER + 2;
    /** Coalesced read: the count byte after the ATA header, then the entries. */
    static final int O_COUNT = Ata.HEADER;
    static final int O_ENTRIES = Ata.HEADER + 1;
    static final int ENTRY = 16;

    private static final Set<String> PROVIDES = Set.of(RESET, CONGESTION, COALESCED_READ);

    /** One small request frame per receive thread for the entries of coalesced reads. */
    private static final ThreadLocal<ByteBuffer> ENTRY_REQUEST = ThreadLocal.withInitial(() -> ByteBuffer.allocate(Aoe.MIN_FRAME));

    @Override
    public Set<String> provides() {
        return PROVIDES;
    }

    @Override
    public int command() {
        return CMD_NEGOTIATE;
    }

    @Override
    public boolean handles(int command) {
        return command == CMD_NEGOTIATE || command == CMD_COALESCED_READ;
    }

    @Override
    public int handle(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply) {
        return switch (Aoe.command(request)) {
            case CMD_NEGOTIATE -> negotiate(ctx, request, reply);
            case CMD_COALESCED_READ -> coalescedRead(ctx, request, reply);
            default -> NO_REPLY;
        };
    }

    // ---- 0x23 ------------------------------------------------------------------------------

    /**
     * The length of the names area in the byte order accepted (big-endian first, then
     * little-endian), or -1 if neither reading gives a well-formed request.
     */
    static int namesLength(ByteBuffer f) {
        if (f.limit() < O_NAMES) {
            return -1;
        }
        int be = f.getShort(O_LENGTH) & 0xffff;
        if (wellFormed(f, be)) {
            return be;
        }
        int le = Short.reverseBytes(f.getShort(O_LENGTH)) & 0xffff;
        return le != be && wellFormed(f, le) ? le : -1;
    }

    private static boolean wellFormed(ByteBuffer f, int length) {
        return length >= 2 && O_NAMES + length <= f.limit() && listEnd(f, O_NAMES + length) >= 0;
    }

    /** Index of the double NUL that ends the list (searched below {@code end}), or -1. */
    static int listEnd(ByteBuffer f, int end) {
        for (int i = O_NAMES; i + 1 < end; i++) {
            if (f.get(i) == 0 && f.get(i + 1) == 0) {
                return i;
            }
        }
        return -1;
    }

    private int negotiate(ExtensionContext ctx, ByteBuffer req, ByteBuffer reply) {
        int length = namesLength(req);
        if (length < 0) {
            ctx.count("negotiation-malformed");
            return NO_REPLY;
        }
        int n = ctx.respond(req, reply, O_NAMES + length);
        int listEnd = listEnd(reply, O_NAMES + length);
        // Names as [start, end) spans of the reply; empty ones (a leading NUL) are skipped.
        int[] starts = new int[(listEnd - O_NAMES) / 2 + 1];
        int[] ends = new int[starts.length];
        int count = 0;
        for (int i = O_NAMES; i < listEnd; ) {
            int j = i;
            while (j < listEnd && reply.get(j) != 0) {
                j++;
            }
            if (j > i) {
                starts[count] = i;
                ends[count++] = j;
            }
            i = j + 1;
        }
        // reset first, wherever it stands, then the rest
        boolean reset = false;
        for (int k = 0; k < count; k++) {
            if (RESET.equals(name(reply, starts[k], ends[k])) && ctx.supported(RESET)) {
                reset = true;
                upperCase(reply, starts[k], ends[k]);
            }
        }
        if (reset) {
            ctx.resetNegotiation();
        }
        for (int k = 0; k < count; k++) {
            String name = name(reply, starts[k], ends[k]);
            if (RESET.equals(name)) {
                continue;
            }
            if (CONGESTION.equals(name)) {
                // "congestion" and its number, a separate string; without a number it is not accepted
                if (k + 1 < count && isNumber(reply, starts[k + 1], ends[k + 1]) && ctx.supported(CONGESTION)) {
                    upperCase(reply, starts[k], ends[k]);
                    ctx.negotiate(CONGESTION);
                    ctx.count(CONGESTION);  // counted, never acted on: the target does not stall
                    k++;
                }
                continue;
            }
            if (!isNumber(reply, starts[k], ends[k]) && ctx.supported(name)) {
                upperCase(reply, starts[k], ends[k]);
                ctx.negotiate(name);
            }
        }
        ctx.count("negotiation");
        return n;
    }

    private static String name(ByteBuffer f, int start, int end) {
        byte[] b = new byte[end - start];
        f.get(start, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static boolean isNumber(ByteBuffer f, int start, int end) {
        for (int i = start; i < end; i++) {
            byte c = f.get(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return end > start;
    }

    private static void upperCase(ByteBuffer f, int start, int end) {
        for (int i = start; i < end; i++) {
            byte c = f.get(i);
            if (c >= 'a' && c <= 'z') {
                f.put(i, (byte) (c - 'a' + 'A'));
            }
        }
    }

    // ---- 0x24 ------------------------------------------------------------------------------

    private int coalescedRead(ExtensionContext ctx, ByteBuffer req, ByteBuffer reply) {
        if (!ctx.negotiated().contains(COALESCED_READ)) {
            ctx.count("coalesced-read-refused");
            int n = ctx.respond(req, reply, Aoe.HEADER);
            Aoe.toError(reply, Aoe.ERR_BAD_COMMAND);   // as for any unknown command
            return n;
        }
        if (req.limit() < O_ENTRIES) {
            return NO_REPLY;
        }
        int entries = req.get(O_COUNT) & 0xff;
        if (entries == 0 || O_ENTRIES + entries * ENTRY > req.limit()) {
            ctx.count("coalesced-read-malformed");
            return NO_REPLY;
        }
        ByteBuffer e = ENTRY_REQUEST.get();
        for (int k = 0; k < entries; k++) {
            int at = O_ENTRIES + k * ENTRY;
            long lba = 0;
            for (int i = 5; i >= 0; i--) {
                lba = lba << 8 | (req.get(at + 4 + i) & 0xff);
            }
            e.clear();
            e.put(0, req, 0, Aoe.HEADER);
            Aoe.setCommand(e, Aoe.CMD_ATA);
            Aoe.setTag(e, req.getInt(at));
            Ata.putHeader(e, Ata.AFLAG_EXTENDED, 0, req.get(at + 15) & 0xff, Ata.CMD_READ_EXT, lba);
            e.limit(Ata.HEADER);
            reply.clear();
            int n = ctx.ata(e, reply);
            if (n >= 0) {
                Aoe.finish(reply, n);
                ctx.send(reply);
            }
        }
        reply.clear();
        ctx.count("coalesced-read");
        return NO_REPLY;
    }
}
