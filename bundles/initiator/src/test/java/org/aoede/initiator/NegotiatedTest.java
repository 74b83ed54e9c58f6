package org.aoede.initiator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;

import org.aoede.protocol.Aoe;
import org.aoede.protocol.Negotiate;
import org.junit.jupiter.api.Test;

class NegotiatedTest {
    static ByteBuffer frame(byte[] list) {
        ByteBuffer f = ByteBuffer.allocate(Math.max(60, Negotiate.O_NAMES + list.length));
        Aoe.putHeader(f, 1, 2, 0, 0, 1, 0, Negotiate.COMMAND, 5);
        Negotiate.put(f, list);
        return f;
    }

    @Test
    void upperCasedNamesAreAcceptedTheRestRejected() {
        List<String> sent = List.of("reset", "congestion", "5", "coalesced_read", "crc8x4", "bogus");
        ByteBuffer reply = frame("RESET\0CONGESTION\u00005\0COALESCED_READ\0crc8x4\0bogus\0\0".getBytes());
        Negotiated n = Negotiated.decode(sent, reply);
        assertEquals(List.of("RESET", "CONGESTION", "COALESCED_READ"), n.accepted());
        assertEquals(List.of("crc8x4", "bogus"), n.rejected());
        assertTrue(n.accepted("coalesced_read"));
        assertEquals("negotiated target=1.0 accepted=RESET,CONGESTION,COALESCED_READ rejected=crc8x4,bogus", n.describe("1.0"));
    }

    @Test
    void aMalformedReplyAcceptsNothing() {
        ByteBuffer reply = frame("RESET\0".getBytes());      // no double NUL
        Negotiated n = Negotiated.decode(List.of("reset"), reply);
        assertEquals(List.of(), n.accepted());
        assertEquals(List.of("reset"), n.rejected());
    }
}
