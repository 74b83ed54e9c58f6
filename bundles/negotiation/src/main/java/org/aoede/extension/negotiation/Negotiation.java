package org.aoede.extension.negotiation;

import java.nio.ByteBuffer;
import java.util.Set;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;
import org.aoede.protocol.CoalescedRead;
import org.aoede.protocol.Negotiate;
import org.osgi.service.component.annotations.Component;

/**
 * Extension negotiation (AoE command 0x23) and the coalesced read it can turn on (AoE command
 * 0x24). What an initiator negotiated is kept by the target per initiator MAC (through the
 * {@link ExtensionContext}), not here: stopping, updating or replacing this bundle loses nothing.
 *
 * <p>0x23 (layout in {@link Negotiate}): the reply is the request (header, L and the L bytes)
 * echoed with the R flag, each accepted name upper-cased in place. A malformed request gets no reply.
 *
 * <p>0x24 (layout in {@link CoalescedRead}; only for an initiator that negotiated
 * {@code coalesced_read}, others get AoE error 1): each entry is answered by its own READ EXT
 * reply under its own tag, exactly as a READ EXT request with that tag would be; the 0x24 frame
 * itself gets no reply.
 */
@Component(service = Extension.class, property = Extension.NAME + "=negotiation")
public final class Negotiation implements Extension {
    public static final int CMD_NEGOTIATE = Negotiate.COMMAND;
    public static final int CMD_COALESCED_READ = CoalescedRead.COMMAND;

    public static final String RESET = "reset";
    public static final String CONGESTION = "congestion";
    public static final String COALESCED_READ = "coalesced_read";

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

    private int negotiate(ExtensionContext ctx, ByteBuffer req, ByteBuffer reply) {
        int length = Negotiate.namesLength(req);
        if (length < 0) {
            ctx.error("negotiation-malformed");
            return NO_REPLY;
        }
        int n = ctx.respond(req, reply, Negotiate.O_NAMES + length);
        int listEnd = Negotiate.listEnd(reply, Negotiate.O_NAMES + length);
        // Names as [start, end) spans of the reply, upper-cased there when accepted.
        int[] starts = new int[(listEnd - Negotiate.O_NAMES) / 2 + 1];
        int[] ends = new int[starts.length];
        int count = Negotiate.spans(reply, listEnd, starts, ends);
        // reset first, wherever it stands, then the rest
        boolean reset = false;
        for (int k = 0; k < count; k++) {
            if (RESET.equals(Negotiate.name(reply, starts[k], ends[k])) && ctx.supported(RESET)) {
                reset = true;
                upperCase(reply, starts[k], ends[k]);
            }
        }
        if (reset) {
            ctx.resetNegotiation();
        }
        for (int k = 0; k < count; k++) {
            String name = Negotiate.name(reply, starts[k], ends[k]);
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
        if (req.limit() < CoalescedRead.O_ENTRIES) {
            return NO_REPLY;
        }
        if (!CoalescedRead.entriesFit(req)) {
            ctx.error("coalesced-read-malformed");
            return NO_REPLY;
        }
        int entries = CoalescedRead.count(req);
        ByteBuffer e = ENTRY_REQUEST.get();
        for (int k = 0; k < entries; k++) {
            e.clear();
            e.put(0, req, 0, Aoe.HEADER);
            Aoe.setCommand(e, Aoe.CMD_ATA);
            Aoe.setTag(e, CoalescedRead.tag(req, k));
            Ata.putHeader(e, Ata.AFLAG_EXTENDED, 0, CoalescedRead.sectors(req, k), Ata.CMD_READ_EXT,
                    CoalescedRead.lba(req, k));
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
