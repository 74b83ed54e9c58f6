package org.aoede.store.rbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.aoede.api.StoreSpec;
import org.aoede.api.StoreSpec.Invalid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RbdSpecTest {
    @Test
    void poolAndImageWithDefaults() throws Exception {
        RbdSpec s = RbdSpec.parse("rbd:rbd/disk1");
        assertEquals("rbd", s.pool());
        assertEquals("disk1", s.image());
        assertEquals("admin", s.id());
        assertEquals("client.admin", s.client());
        assertEquals(Path.of("/etc/ceph/ceph.conf"), s.conf());
        assertNull(s.keyring());
        assertEquals("rbd:rbd/disk1", s.toString());
    }

    @Test
    void allOptionsInAnyOrder() throws Exception {
        RbdSpec s = RbdSpec.parse("rbd:pool-1/boot.img_2:conf=/srv/ceph/c.conf:id=aoede:keyring=/srv/ceph/k");
        assertEquals("pool-1", s.pool());
        assertEquals("boot.img_2", s.image());
        assertEquals("aoede", s.id());
        assertEquals(Path.of("/srv/ceph/c.conf"), s.conf());
        assertEquals(Path.of("/srv/ceph/k"), s.keyring());
        assertEquals(s, RbdSpec.parse(s.toString()));
    }

    @Test
    void escapedColonInAPath() throws Exception {
        RbdSpec s = RbdSpec.parse("rbd:p/i:conf=/etc/a\\:b.conf");
        assertEquals(Path.of("/etc/a:b.conf"), s.conf());
        assertEquals(s, RbdSpec.parse(s.toString()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rbd:                              | names no image",
        "rbd:disk                          | names no pool",
        "rbd:/disk                         | empty pool name",
        "rbd:rbd/                          | empty image name",
        "rbd:a/b/c                         | namespaces",
        "rbd:rbd/disk@snap                 | snapshots",
        "rbd:rbd/di sk                     | image 'di sk'",
        "rbd:rb?d/disk                     | pool 'rb?d'",
        "rbd:rbd/disk:                     | empty option",
        "rbd:rbd/disk::id=a                | empty option",
        "rbd:rbd/disk:id                   | is not KEY=VALUE",
        "rbd:rbd/disk:=x                   | is not KEY=VALUE",
        "rbd:rbd/disk:id=                  | has no value",
        "rbd:rbd/disk:id=a:id=b            | 'id' given twice",
        "rbd:rbd/disk:id=client.admin      | without 'client.'",
        "rbd:rbd/disk:id=a/b               | user 'a/b'",
        "rbd:rbd/disk:conf=ceph.conf       | absolute path",
        "rbd:rbd/disk:conf=/a:conf=/b      | 'conf' given twice",
        "rbd:rbd/disk:keyring=k            | absolute path",
        "rbd:rbd/disk:mon_host=127.0.0.1   | option 'mon_host' is not supported",
        "rbd:rbd/disk:key=AQBsecret        | option 'key' is not supported",
        "rbd:rbd/disk\\                    | lone backslash",
        "RBD:rbd/disk                      | is not an RBD image",
        "/var/lib/disk.img                 | is not an RBD image",
    })
    void malformedFormsAreRefusedSayingWhy(String file, String why) {
        Invalid e = assertThrows(Invalid.class, () -> RbdSpec.parse(file));
        assertEquals("file", e.key);
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(e.getMessage().startsWith("key 'file': "), e.getMessage());
    }

    @Test
    void directAndMissingFilesAreRefusedBeforeAnyCluster(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path conf = dir.resolve("ceph.conf");
        Invalid e = assertThrows(Invalid.class, () -> RbdStore.checkSpec(
                new StoreSpec(Path.of("rbd:rbd/d:conf=" + conf), false, false, false, 0, 0)));
        assertTrue(e.getMessage().contains(conf + " does not exist"), e.getMessage());
        java.nio.file.Files.writeString(conf, "[global]\n");
        e = assertThrows(Invalid.class, () -> RbdStore.checkSpec(
                new StoreSpec(Path.of("rbd:rbd/d:conf=" + conf), false, true, false, 0, 0)));
        assertEquals("direct", e.key);
        e = assertThrows(Invalid.class, () -> RbdStore.checkSpec(
                new StoreSpec(Path.of("rbd:rbd/d:conf=" + conf + ":keyring=" + dir.resolve("k")), false, false, false, 0, 0)));
        assertTrue(e.getMessage().contains("keyring"), e.getMessage());
    }
}
