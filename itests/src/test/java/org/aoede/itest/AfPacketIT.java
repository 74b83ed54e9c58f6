package org.aoede.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native AF_PACKET transport ({@code transport = afpacket}) in the built appliance: the
 * same answers as pcap at MTU 1500 and 9000, an interface that appears later, and a side by
 * side {@code bench} of pcap and afpacket on one veth pair (printed, never asserted).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AfPacketIT {
    static final long SECTORS = 64L * 1024 * 1024 / 512;

    @TempDir
    static Path work;
    static Fixture fx;
    static Lan lan;
    static Appliance appliance;
    static String tns;
    static String ins;
    static String t0;
    static String t1;

    @BeforeAll
    static void start() throws IOException {
        fx = new Fixture(work, 1500, 9000);
        lan = fx.lan;
        appliance = fx.appliance;
        tns = fx.tns;
        ins = fx.ins;
        t0 = fx.t(0);
        t1 = fx.t(1);
        appliance.waitForLog("transport 'afpacket' available", Duration.ofSeconds(60));
        image("a.img", SECTORS);
        image("b.img", SECTORS);
        image("c.img", 8L * 1024 * 1024 / 512);
        appliance.writeExport("a", export(1, 0, t0, "a.img", "afpacket"));
        appliance.waitForLog("export a: e1.0 answering on " + t0, Duration.ofSeconds(30));
        appliance.writeExport("b", export(2, 0, t1, "b.img", "afpacket"));
        appliance.waitForLog("export b: e2.0 answering on " + t1, Duration.ofSeconds(30));
        fx.snapshot();
    }

    /** Each test starts from the state the set-up made (see {@link Fixture#restore}). */
    @BeforeEach
    void knownState() throws IOException {
        fx.restore();
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static Path image(String name, long sectors) throws IOException {
        return Fixture.sparse(work.resolve(name), sectors * 512);
    }

    static String export(int shelf, int slot, String ifaces, String file, String transport) {
        return Fixture.exportCfg(shelf, slot, ifaces, work.resolve(file), "transport = " + transport);
    }

    static Initiator ini(String suffix) {
        return new Initiator(ins, lan.ifname(suffix));
    }

    @Test
    @Order(1)
    void discoverIdentifyAndVerifyAtMtu1500() throws IOException {
        assertTrue(appliance.count("interface " + t0 + ": up") >= 1, appliance.tail());
        Initiator ini = ini("i0");
        String d = ini.run("discover", "1.0").ok().out();
        assertTrue(d.contains("target 1.0 "), d);
        assertEquals("2", Initiator.field(d, "sectors"), d);
        String id = ini.run("identify", "1.0").ok().out();
        assertEquals(String.valueOf(SECTORS), Initiator.field(id, "sectors"), id);
        assertEquals("AoEde virtual disk", Initiator.field(id, "model"), id);
        String v = ini.run("verify", "1.0", "--all", "--qd", "16", "--seed", "7").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals(String.valueOf(SECTORS), Initiator.field(v, "sectors"), v);
    }

    @Test
    @Order(2)
    void verifyAtMtu9000With17SectorsAFrame() throws IOException {
        Initiator ini = ini("i1");
        assertEquals("17", Initiator.field(ini.run("discover", "2.0").ok().out(), "sectors"), "MTU 9000: 17 sectors");
        String v = ini.run("verify", "2.0", "--all", "--qd", "16", "--seed", "9").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals(String.valueOf(SECTORS), Initiator.field(v, "sectors"), v);
    }

    @Test
    @Order(3)
    void anInterfaceThatAppearsLaterIsServedAndItsMtuFollowed() throws IOException {
        String t2 = lan.ifname("t2");
        appliance.writeExport("c", export(3, 0, t2, "c.img", "afpacket"));
        appliance.waitForLog("interface " + t2 + ": no such interface; retrying", Duration.ofSeconds(30));
        Appliance.sleep(4500);  // two retries: still one log line
        assertEquals(1, appliance.count("interface " + t2 + ": no such interface"), appliance.tail());
        lan.veth(t2, tns, lan.ifname("i2"), ins, 1500);
        appliance.waitForLog("export c: e3.0 answering on " + t2, Duration.ofSeconds(30));
        Initiator ini = ini("i2");
        assertEquals("2", Initiator.field(ini.run("discover", "3.0").ok().out(), "sectors"));
        String v = ini.run("verify", "3.0", "--count-frames", "2000", "--qd", "16").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);

        // MTU change: noticed within the 2 s watch, advertised again with the new sector count
        Lan.setMtu(ins, lan.ifname("i2"), 9000);
        Lan.setMtu(tns, t2, 9000);
        appliance.waitForLog("interface " + t2 + ": MTU 1500 -> 9000", Duration.ofSeconds(15));
        assertEquals("17", Initiator.field(ini.run("discover", "3.0").ok().out(), "sectors"));

        // the interface vanishes and comes back (a new index): served again
        long served = appliance.count("export c: e3.0 answering on " + t2);
        Sh.run(10, "ip", "-n", tns, "link", "del", t2).ok();
        appliance.waitForLog("interface " + t2 + ": down", Duration.ofSeconds(15));
        lan.veth(t2, tns, lan.ifname("i2"), ins, 1500);
        appliance.waitForMore("export c: e3.0 answering on " + t2, served, Duration.ofSeconds(30));
        assertEquals("2", Initiator.field(ini.run("discover", "3.0").ok().out(), "sectors"));
        appliance.deleteExport("c");
    }

    @Test
    @Order(4)
    void benchPcapAgainstAfpacketOnTheSameVeth() throws IOException {
        Initiator ini = ini("i0");
        StringBuilder report = new StringBuilder();
        // export a is on afpacket now; then the same export moves to pcap, then back
        for (String transport : new String[] {"afpacket", "pcap", "afpacket"}) {
            if (!transport.equals("afpacket") || report.length() > 0) {
                long served = appliance.count("export a: e1.0 answering on " + t0);
                appliance.writeExport("a", export(1, 0, t0, "a.img", transport));
                appliance.waitForMore("export a: e1.0 answering on " + t0, served, Duration.ofSeconds(30));
            }
            for (String pattern : new String[] {"randread", "randwrite"}) {
                String out = ini.run("bench", "1.0", "--pattern", pattern, "--sectors", "2", "--qd", "16",
                        "--seconds", "5").ok().out().trim();
                assertEquals("0", Initiator.field(out, "errors"), out);
                report.append(String.format("%-9s %s%n", transport, out));
            }
        }
        System.out.println("AfPacketIT bench, MTU 1500, same veth:\n" + report);
    }

    @Test
    @Order(5)
    void qdiscBypassOnServesAndVerifies() throws IOException {
        long served = appliance.count("export a: e1.0 answering on " + t0);
        Path cfg = appliance.etc("org.aoede.transport.afpacket.cfg");
        Path tmp = appliance.etc("org.aoede.transport.afpacket.tmp");
        Files.writeString(tmp, "qdisc-bypass = true\n");
        Files.move(tmp, cfg, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // the transport re-activates: its exports stop and come back on the new socket option
        appliance.waitForMore("export a: e1.0 answering on " + t0, served, Duration.ofSeconds(30));
        String v = ini("i0").run("verify", "1.0", "--all", "--qd", "16", "--seed", "11").ok().out();
        assertEquals("0", Initiator.field(v, "mismatches"), v);
        assertEquals("0", Initiator.field(v, "errors"), v);
        assertEquals(String.valueOf(SECTORS), Initiator.field(v, "sectors"), v);
        assertEquals(0, appliance.count("PACKET_QDISC_BYPASS refused"), "this kernel (>= 3.14) takes it:\n" + appliance.tail());
    }
}
