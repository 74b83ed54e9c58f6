package org.aoede.initiator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import org.junit.jupiter.api.Test;

class CliArgsTest {
    @Test
    void parsesOptionsFlagsAndPositionals() {
        Cli.Args a = Cli.Args.parse(new String[] {"mask", "-i", "veth0", "1.0", "--add", "02:00:00:00:00:01",
                "--add", "02:00:00:00:00:02", "--bad-directive", "--qd=8"});
        assertEquals("mask", a.command);
        assertEquals(List.of("1.0"), a.positional);
        assertEquals(2, a.all("--add").size());
        assertTrue(a.has("--bad-directive"));
        assertEquals(8, a.num("--qd", 1));
        assertEquals("veth0", a.one("-i"));
    }

    @Test
    void usageErrorsExitTwoWithoutTouchingTheNetwork() {
        PrintStream err = new PrintStream(new ByteArrayOutputStream());
        assertEquals(2, Cli.run(new String[] {}, System.out, err));
        assertEquals(2, Cli.run(new String[] {"identify", "1.0"}, System.out, err));  // no -i
        assertEquals(2, Cli.run(new String[] {"read", "-i", "x", "1.0", "--bogus", "1"}, System.out, err));
    }

    @Test
    void patternDependsOnSeedAndLba() {
        byte[] a = Pattern.of(1, 10, 2);
        byte[] b = Pattern.of(1, 11, 1);
        assertEquals(java.util.Arrays.compare(a, 512, 1024, b, 0, 512), 0);
        assertTrue(java.util.Arrays.compare(a, 0, 512, b, 0, 512) != 0);
        assertTrue(java.util.Arrays.compare(Pattern.of(2, 10, 1), 0, 512, a, 0, 512) != 0);
    }
}
