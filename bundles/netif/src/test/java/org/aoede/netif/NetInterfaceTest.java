package org.aoede.netif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.NetworkInterface;

import org.junit.jupiter.api.Test;

/** Against the machine's own loopback (always there, no privileges needed). */
class NetInterfaceTest {
    @Test
    void findsLoopbackWithTheKernelsIndexAndMtu() throws Exception {
        NetInterface lo = NetInterface.byName("lo").orElseThrow();
        NetworkInterface jdk = NetworkInterface.getByName("lo");    // lo has an address: the JDK sees it too
        assertEquals(jdk.getIndex(), lo.index());
        assertEquals(jdk.getMTU(), lo.mtu());
        assertEquals(0, lo.mac());
        assertTrue(lo.usable());
        assertEquals("", lo.problem());
    }

    @Test
    void listsLoopback() {
        assertTrue(NetInterface.names().contains("lo"));
    }

    @Test
    void aMissingOrImpossibleNameIsEmptyNotAnError() {
        assertFalse(NetInterface.byName("aoede-nosuch0").isPresent());
        assertFalse(NetInterface.byName("").isPresent());
        assertFalse(NetInterface.byName("a-name-far-too-long-for-linux").isPresent());
        assertFalse(NetInterface.byName("../lo").isPresent());
    }
}
