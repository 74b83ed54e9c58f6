package org.aoede.server;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Config;
import org.aoede.protocol.MacMask;
import org.aoede.protocol.Reserve;

/**
 * The AoE control commands of one export: Query Config (and the unsolicited advertisement), MAC
 * mask list, reserve/release. They change the export's {@link LiveState} under its state lock.
 */
final class ExportControl {
    private static final int NO_REPLY = Export.NO_REPLY;

    private final Export export;

    ExportControl(Export export) {
        this.export = export;
    }

    // ---- Query config -----------------------------------------------------------------

    int config(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast) {
        if (req.limit() < Config.HEADER) {
            return NO_REPLY;
        }
        int sub = Config.subcommand(req);
        boolean modifies = sub == Config.SET || sub == Config.FORCE_SET;
        if (broadcast && modifies) {
            return NO_REPLY;                        // never change every export at once
        }
        if (!Config.stringFits(req)) {
            return broadcast ? NO_REPLY : export.error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        byte[] current = export.live().configString();
        switch (sub) {
            case Config.READ:
                break;
            case Config.TEST_EXACT:
                if (!Arrays.equals(current, Config.string(req))) {
                    return NO_REPLY;
                }
                break;
            case Config.TEST_PREFIX:
                if (!startsWith(current, Config.string(req))) {
                    return NO_REPLY;
                }
                break;
            case Config.SET:
            case Config.FORCE_SET:
                byte[] wanted = Config.string(req);
                synchronized (export.stateLock) {
                    current = export.live().configString();
                    if (sub == Config.SET && current.length > 0 && !Arrays.equals(current, wanted)) {
                        return export.error(port, req, reply, Aoe.ERR_CONFIG_PRESENT);
                    }
                    export.live(export.live().withConfig(wanted));
                    current = wanted;
                    Initiator setter = export.initiators.get(Aoe.src(req));
                    if (setter != null) {
                        setter.reset();             // a config set resets the setter's own extensions
                    }
                }
                break;
            default:
                return broadcast ? NO_REPLY : export.error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        export.header(port, req, reply, Aoe.HEADER);
        return Config.put(reply, export.bufferCount(), Identify.FIRMWARE_VERSION, export.maxSectors(port), sub, current);
    }

    private static boolean startsWith(byte[] s, byte[] prefix) {
        return prefix.length <= s.length && Arrays.equals(s, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A config reply with tag 0, unsolicited, as sent when the export starts or its parameters change. */
    int advertisement(Port port, ByteBuffer f, long dst) {
        ExportSettings settings = export.settings;
        Aoe.putHeader(f, dst, port.mac(), Aoe.FLAG_RESPONSE, 0, settings.shelf(), settings.slot(), Aoe.CMD_CONFIG, 0);
        return Config.put(f, export.bufferCount(), Identify.FIRMWARE_VERSION, export.maxSectors(port), Config.READ,
                export.live().configString());
    }

    // ---- MAC mask list ----------------------------------------------------------------

    int mask(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast) {
        if (req.limit() < MacMask.HEADER) {
            return NO_REPLY;
        }
        int sub = MacMask.subcommand(req);
        if (sub == MacMask.READ) {
            export.header(port, req, reply, Aoe.HEADER);
            return MacMask.putList(reply, sub, export.live().mask());
        }
        if (broadcast) {
            return NO_REPLY;
        }
        if (sub != MacMask.EDIT || !MacMask.directivesFit(req)) {
            return export.error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        synchronized (export.stateLock) {
            long[] list = export.live().mask();
            int n = MacMask.directiveCount(req);
            int failure = 0;
            int failedAt = 0;
            for (int i = 0; i < n && failure == 0; i++) {
                long mac = MacMask.directiveMac(req, i);
                switch (MacMask.directiveCommand(req, i)) {
                    case MacMask.DIR_NOP -> { }
                    case MacMask.DIR_ADD -> {
                        if (!LiveState.contains(list, mac)) {
                            if (list.length >= ExportSettings.MAX_MACS) {
                                failure = MacMask.ERR_FULL;
                                failedAt = i;
                            } else {
                                list = Arrays.copyOf(list, list.length + 1);
                                list[list.length - 1] = mac;
                            }
                        }
                    }
                    case MacMask.DIR_DELETE -> list = Arrays.stream(list).filter(m -> m != mac).toArray();
                    default -> {
                        failure = MacMask.ERR_BAD_DIRECTIVE;
                        failedAt = i;
                    }
                }
            }
            // Directives before a failing one stay applied, as in vblade.
            export.live(export.live().withMask(list));
            export.header(port, req, reply, Aoe.HEADER);
            if (failure != 0) {
                MacMask.putHeader(reply, sub, failure, failedAt);
                return MacMask.HEADER;
            }
            return MacMask.putList(reply, sub, list);
        }
    }

    // ---- Reserve / release ------------------------------------------------------------

    int reserve(Port port, ByteBuffer req, ByteBuffer reply, boolean broadcast) {
        if (req.limit() < Reserve.HEADER) {
            return NO_REPLY;
        }
        int sub = Reserve.subcommand(req);
        if (sub == Reserve.READ) {
            export.header(port, req, reply, Aoe.HEADER);
            return Reserve.put(reply, sub, export.live().reservation());
        }
        if (broadcast) {
            return NO_REPLY;
        }
        if ((sub != Reserve.SET && sub != Reserve.FORCE_SET) || !Reserve.macsFit(req)
                || Reserve.count(req) > ExportSettings.MAX_MACS) {
            return export.error(port, req, reply, Aoe.ERR_BAD_ARGUMENT);
        }
        synchronized (export.stateLock) {
            long[] current = export.live().reservation();
            if (sub == Reserve.SET && current.length > 0 && !LiveState.contains(current, Aoe.src(req))) {
                return export.error(port, req, reply, Aoe.ERR_RESERVED);
            }
            long[] wanted = new long[Reserve.count(req)];
            for (int i = 0; i < wanted.length; i++) {
                wanted[i] = Reserve.mac(req, i);
            }
            wanted = Arrays.stream(wanted).distinct().toArray();
            export.live(export.live().withReservation(wanted));
            export.header(port, req, reply, Aoe.HEADER);
            return Reserve.put(reply, sub, wanted);
        }
    }
}
