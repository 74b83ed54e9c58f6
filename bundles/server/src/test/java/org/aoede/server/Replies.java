package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Ata;

/** Assertions on reply frames. */
final class Replies {
    private Replies() {
    }

    /** A well-formed response to {@code req}: R flag, version 1, tag and address echoed, from the port. */
    static void assertResponseTo(ByteBuffer req, ByteBuffer reply) {
        assertNotNull(reply, "expected a reply");
        assertEquals(1, Aoe.version(reply), "version nibble");
        assertTrue(Aoe.isResponse(reply), "R flag");
        assertEquals(Aoe.tag(req), Aoe.tag(reply), "tag echoed unchanged");
        assertEquals(Aoe.src(req), Aoe.dst(reply), "dst = requester");
        assertEquals(Harness.PORT_MAC, Aoe.src(reply), "src = port MAC");
        assertEquals(Aoe.ETHERTYPE, Aoe.etherType(reply));
        assertEquals(Aoe.command(req), Aoe.command(reply), "command echoed");
        assertEquals(Aoe.shelf(req), Aoe.shelf(reply), "shelf echoed");
        assertEquals(Aoe.slot(req), Aoe.slot(reply), "slot echoed");
    }

    static void assertAoeError(ByteBuffer req, ByteBuffer reply, int code) {
        assertResponseTo(req, reply);
        assertTrue(Aoe.isError(reply), "E flag");
        assertEquals(code, Aoe.error(reply), "AoE error code");
    }

    static void assertNoAoeError(ByteBuffer req, ByteBuffer reply) {
        assertResponseTo(req, reply);
        assertFalse(Aoe.isError(reply), "no E flag, got error " + Aoe.error(reply));
        assertEquals(0, Aoe.error(reply), "error byte 0");
    }

    static void assertAtaOk(ByteBuffer req, ByteBuffer reply) {
        assertNoAoeError(req, reply);
        assertEquals(Ata.STATUS_DRDY, Ata.status(reply), "ATA status DRDY");
        assertEquals(0, Ata.errorReg(reply), "ATA error register");
    }

    static void assertAtaError(ByteBuffer req, ByteBuffer reply, int ataError) {
        assertNoAoeError(req, reply);
        assertEquals(Ata.STATUS_DRDY | Ata.STATUS_ERR, Ata.status(reply), "ATA status DRDY|ERR");
        assertEquals(ataError, Ata.errorReg(reply), "ATA error register");
    }
}
