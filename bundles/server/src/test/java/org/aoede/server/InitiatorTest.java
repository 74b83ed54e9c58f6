package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

class InitiatorTest {
    @Test
    void theCachedCheckFollowsBothSets() {
        Initiator i = new Initiator(1);
        Set<String> crc = Set.of("crc8x4");
        assertTrue(i.satisfiedBy(Set.of()), "nothing negotiated needs nothing");
        i.negotiate("crc8x4");
        assertTrue(i.satisfiedBy(crc));
        assertTrue(i.satisfiedBy(crc), "cached");
        assertFalse(i.satisfiedBy(Set.of()), "a new provided set is checked again");
        assertTrue(i.satisfiedBy(crc));
        i.negotiate("coalesced_read");
        assertFalse(i.satisfiedBy(crc), "a new negotiated set is checked again");
        assertTrue(i.satisfiedBy(Set.of("crc8x4", "coalesced_read")));
        i.reset();
        assertTrue(i.satisfiedBy(crc));
        assertEquals(Set.of(), i.negotiated());
    }

    @Test
    void negotiatingTwiceKeepsTheSameSet() {
        Initiator i = new Initiator(1);
        i.negotiate("a");
        Set<String> s = i.negotiated();
        i.negotiate("a");
        assertTrue(s == i.negotiated(), "no change, no new set (the cached check stays valid)");
    }
}
