package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class AddressTableTest {
    @Test
    void findsEveryKeyAndNothingElse() {
        SplittableRandom r = new SplittableRandom(5);
        for (int size : new int[] {0, 1, 2, 3, 7, 16, 100, 1000}) {
            Map<Integer, String> m = new HashMap<>();
            while (m.size() < size) {
                int key = r.nextInt(1 << 24);
                m.put(key, "e" + key);
            }
            AddressTable<String> t = new AddressTable<>(m);
            m.forEach((k, v) -> assertEquals(v, t.get(k), "key " + k));
            for (int i = 0; i < 10_000; i++) {
                int k = r.nextInt(1 << 24);
                if (!m.containsKey(k)) {
                    assertNull(t.get(k), "key " + k);
                }
            }
        }
    }

    @Test
    void extremeAddressesAndTheEmptyTable() {
        AddressTable<String> t = new AddressTable<>(Map.of(0, "e0.0", 0xFFFEFE, "e65534.254", 1 << 8, "e1.0"));
        assertEquals("e0.0", t.get(0));
        assertEquals("e65534.254", t.get(0xFFFEFE));
        assertEquals("e1.0", t.get(1 << 8));
        assertNull(t.get(1));
        assertNull(AddressTable.<String>empty().get(0));
    }
}
