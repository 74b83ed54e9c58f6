package org.aoede.server;

import java.util.Map;

/**
 * The dispatch table of a port: export by address key (shelf << 8 | slot), immutable, open
 * addressing over primitive keys. A lookup per frame neither boxes the key nor follows a node.
 */
final class AddressTable<V> {
    private static final AddressTable<?> EMPTY = new AddressTable<>(Map.of());
    private static final int FREE = -1;            // keys are 24-bit, never negative

    private final int[] keys;
    private final Object[] values;
    private final int mask;

    @SuppressWarnings("unchecked")
    static <V> AddressTable<V> empty() {
        return (AddressTable<V>) EMPTY;
    }

    AddressTable(Map<Integer, ? extends V> m) {
        int cap = Integer.highestOneBit(Math.max(4, m.size() * 4 - 1)) << 1;   // load factor <= 1/2
        keys = new int[cap];
        values = new Object[cap];
        mask = cap - 1;
        java.util.Arrays.fill(keys, FREE);
        m.forEach((k, v) -> {
            int i = index(k);
            while (keys[i] != FREE) {
                i = (i + 1) & mask;
            }
            keys[i] = k;
            values[i] = v;
        });
    }

    private int index(int key) {
        return (key * 0x9E3779B9) >>> 16 & mask;
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        int i = index(key);
        int k;
        while ((k = keys[i]) != FREE) {
            if (k == key) {
                return (V) values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }
}
