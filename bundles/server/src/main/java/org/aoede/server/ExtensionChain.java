package org.aoede.server;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import org.aoede.api.Extension;
import org.aoede.protocol.Aoe;

/**
 * The extensions one export uses, in configured order: their ATA hooks (beforeAta, then afterAta
 * in reverse order), their own AoE commands, what they provide and the trailer bytes they append.
 */
final class ExtensionChain {
    private final Export export;
    /** The extensions this export uses now, in configured order (installed ones only). */
    private volatile Extension[] extensions = new Extension[0];
    private volatile Set<String> provided = Set.of();
    private volatile int trailer;

    ExtensionChain(Export export) {
        this.export = export;
    }

    /** The extensions in use now (a snapshot; not to be modified). */
    Extension[] list() {
        return extensions;
    }

    /** True while extensions are in use: replies are then not built in a link's transmit slot. */
    boolean isEmpty() {
        return extensions.length == 0;
    }

    Set<String> provided() {
        return provided;
    }

    /** Bytes the extensions append after a reply's data. */
    int trailerBytes() {
        return trailer;
    }

    /** Sets the installed extensions this export uses (whiteboard changes, configuration edits). */
    void set(Extension[] list) {
        Set<String> names = new HashSet<>();
        int t = 0;
        for (Extension x : list) {
            names.addAll(x.provides());
            t += x.trailerBytes();
        }
        provided = Set.copyOf(names);
        trailer = t;
        extensions = list.clone();
    }

    /**
     * ATA through the extensions: each may answer first, then each sees the reply (in reverse order).
     * A reply an extension makes itself passes the reply hooks of the ones listed before it, as the
     * export's own reply does: a tag tracker's replay then gets a CRC listed before it too (tested).
     */
    Outcome ata(Port port, ByteBuffer req, ByteBuffer reply, LiveState s, Extension[] exts, Initiator ini, Outcome out) {
        Call call = port.call.set(export, ini);
        for (int i = 0; i < exts.length; i++) {
            int r = exts[i].beforeAta(call, req, reply);
            if (r != Extension.PASS) {
                return out.reply(replyHooks(exts, i, call, req, reply, r));
            }
        }
        Outcome o = export.ata.ata(port, req, reply, s, ini, out);
        if (o.isLater()) {
            return o;                               // the reply hooks run, for ini, when the reply is made
        }
        return out.reply(replyHooks(exts, exts.length, call, req, reply, o.length));
    }

    /** The reply hooks of exts[0..before), last first, while there is a reply ({@code n >= 0}). */
    static int replyHooks(Extension[] exts, int before, Call call, ByteBuffer req, ByteBuffer reply, int n) {
        for (int i = before - 1; i >= 0 && n >= 0; i--) {
            n = exts[i].afterAta(call, req, reply, n);
        }
        return n;
    }

    /**
     * ATA for an extension (e.g. one entry of a coalesced read): the normal handling and the reply
     * hooks. A write goes down at once, never held for coalescing: the extension gets its reply
     * now: {@link AtaCommands#now} has no way to say "later".
     */
    int ataDirect(Port port, ByteBuffer req, ByteBuffer reply) {
        int n = export.ata.now(port, req, reply, export.live());
        // the reply hooks still apply (a coalesced read's replies get their CRC like any read)
        Extension[] exts = extensions;
        return replyHooks(exts, exts.length, port.call, req, reply, n);
    }

    /** An AoE command of an extension's own; an unknown command's error if none handles it. */
    int command(Port port, ByteBuffer req, ByteBuffer reply, Extension[] exts, Initiator ini) {
        int cmd = Aoe.command(req);
        for (Extension x : exts) {
            if (x.handles(cmd)) {
                ByteBuffer own = reply == port.reply() ? reply : port.extensionReply();
                int n = x.handle(port.call.set(export, ini), req, own);
                if (n >= 0 && own != reply) {
                    reply.put(0, own, 0, n);
                }
                return n;
            }
        }
        return export.error(port, req, reply, Aoe.ERR_BAD_COMMAND);
    }
}
