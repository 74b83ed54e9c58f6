package org.aoede.initiator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Config;
import org.aoede.protocol.Mac;

/** One export as its config reply describes it: where it answers from and how much it takes per frame. */
public record TargetInfo(long mac, int shelf, int slot, int bufferCount, int firmware, int sectors,
                         int aoeVersion, int subcommand, byte[] config) {

    /** Decodes a config reply; a declared string longer than the frame is cut to what arrived. */
    public static TargetInfo fromReply(ByteBuffer f) {
        int len = Math.max(0, Math.min(Config.stringLength(f), f.limit() - Config.STRING));
        byte[] s = new byte[len];
        f.get(Config.STRING, s);
        return new TargetInfo(Aoe.src(f), Aoe.shelf(f), Aoe.slot(f), Config.bufferCount(f),
                Config.firmwareVersion(f), Config.sectorCount(f), Config.aoeVersion(f), Config.subcommand(f), s);
    }

    /** Sectors per ATA frame; a target advertising 0 still takes one (as the Linux driver assumes). */
    public int maxSectors() {
        return Math.max(1, sectors);
    }

    public String configString() {
        return new String(config, StandardCharsets.UTF_8);
    }

    public String address() {
        return shelf + "." + slot;
    }

    /** One parseable line: key=value pairs, the config string quoted last. */
    public String describe() {
        return String.format("target %d.%d mac=%s bufcnt=%d fw=0x%04x sectors=%d aoever=%d config=\"%s\"",
                shelf, slot, Mac.format(mac), bufferCount, firmware, sectors, aoeVersion,
                Cli.escape(configString()));
    }
}
