package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage NICs as they are in the field: no IPv4 address, IPv6 disabled, so the JDK's
 * {@code NetworkInterface} does not see them. With both transports: served at once; an interface
 * that does not exist yet, is down, is renamed away or deleted and made again makes the export
 * say {@code waiting for interface IF (...)} and serve again within seconds when it is back; an
 * MTU change is followed. One pair keeps its IPv6 link-local address: served as well.
 */
class AddresslessIT {
    static final long SECTORS = 16L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static Appliance appliance;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500);
        appliance = fx.appliance;
        appliance.waitForLog("transport 'afpacket' available", Duration.ofSeconds(60));
        fx.images(SECTORS * 512, "zero.img", "pcap.img", "afpacket.img", "addr.img");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void theFixturesInterfacesHaveNoAddressAndAreServed() throws IOException {
        assertEquals("", Lan.addresses(fx.tns, fx.t(0)), "the target's end must have no address");
        assertEquals("", Lan.addresses(fx.ins, fx.i(0)), "the initiator's end must have no address");
        fx.export("zero", 5, 0, fx.t(0), work.resolve("zero.img"));
        fx.answering("zero", "5.0", fx.t(0));
        verify(fx.initiator(0), "5.0", 1000);
        appliance.deleteExport("zero");
    }

    @Test
    void anInterfaceWithAnAddressIsServedToo() throws IOException {
        String t = fx.lan.ifname("ta");
        String i = fx.lan.ifname("ia");
        fx.lan.veth(t, fx.tns, i, fx.ins, 1500, true);
        assertTrue(Lan.addresses(fx.tns, t).contains("inet6 fe80"), Lan.addresses(fx.tns, t));
        fx.export("addr", 6, 0, t, work.resolve("addr.img"), "transport = afpacket");
        fx.answering("addr", "6.0", t);
        verify(new Initiator(fx.ins, i), "6.0", 1000);
        appliance.deleteExport("addr");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pcap", "afpacket"})
    void waitsForItsInterfaceAndFollowsItThroughDownRenameRecreateAndMtu(String transport) throws IOException {
        int shelf = transport.equals("pcap") ? 1 : 2;
        String address = shelf + ".0";
        String name = "late-" + transport;
        String t = fx.lan.ifname(transport.equals("pcap") ? "tp" : "tf");
        String i = fx.lan.ifname(transport.equals("pcap") ? "ip" : "if");
        String answering = "export " + name + ": e" + address + " answering on " + t;

        // not there yet: waiting, named
        fx.export(name, shelf, 0, t, work.resolve(transport + ".img"), "transport = " + transport);
        appliance.awaitShow(name, "waiting for interface " + t + " (no such interface)", true);

        // it comes, without any address: served within seconds
        fx.lan.veth(t, fx.tns, i, fx.ins, 1500);
        assertEquals("", Lan.addresses(fx.tns, t));
        appliance.awaitShow(name, "serving", true);
        Initiator ini = new Initiator(fx.ins, i);
        verify(ini, address, 500);

        // down, then up again
        long served = appliance.count(answering);
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t, "down").ok();
        appliance.awaitShow(name, "waiting for interface " + t + " (interface is down)", true);
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t, "up").ok();
        appliance.waitForMore(answering, served, Duration.ofSeconds(30));
        verify(ini, address, 500);

        // renamed away (a missing name), then back
        served = appliance.count(answering);
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t, "down").ok();
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t, "name", t + "x").ok();
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t + "x", "up").ok();
        appliance.awaitShow(name, "waiting for interface " + t + " (no such interface)", true);
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t + "x", "down").ok();
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t + "x", "name", t).ok();
        Sh.run(10, "ip", "-n", fx.tns, "link", "set", t, "up").ok();
        appliance.waitForMore(answering, served, Duration.ofSeconds(30));
        verify(ini, address, 500);

        // deleted and made again (a new ifindex, same name): served again
        served = appliance.count(answering);
        Sh.run(10, "ip", "-n", fx.tns, "link", "del", t).ok();
        fx.lan.veth(t, fx.tns, i, fx.ins, 1500);
        appliance.waitForMore(answering, served, Duration.ofSeconds(30));
        verify(ini, address, 500);

        // MTU 9000: advertised again with 17 sectors a frame
        Lan.setMtu(fx.ins, i, 9000);
        Lan.setMtu(fx.tns, t, 9000);
        appliance.waitForLog("interface " + t + ": MTU 1500 -> 9000", Duration.ofSeconds(15));
        assertEquals("17", Initiator.field(ini.run("discover", address).ok().out(), "sectors"));
        verify(ini, address, 500);
        appliance.deleteExport(name);
    }

    static void verify(Initiator ini, String address, int frames) {
        String v = ini.run("verify", address, "--count-frames", String.valueOf(frames), "--qd", "8").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
    }
}
