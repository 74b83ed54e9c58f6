package org.aoede.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class ForwardingBlockStoreTest {
    /** Every method of BlockStore, a default one too, is declared here: forwarded, or not on purpose. */
    @Test
    void declaresEveryMethodOfBlockStore() {
        for (Method m : BlockStore.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                ForwardingBlockStore.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                fail("ForwardingBlockStore does not forward " + m);
            }
        }
    }

    @Test
    void callsReachTheDelegate() throws Exception {
        MemStore mem = new MemStore(8);
        BlockStore s = new ForwardingBlockStore(mem) { };
        assertEquals(8, s.sectors());
        ByteBuffer a = ByteBuffer.allocate(BlockStore.SECTOR);
        ByteBuffer b = ByteBuffer.allocate(2 * BlockStore.SECTOR);
        a.put(0, (byte) 1);
        b.put(0, (byte) 2);
        b.put(BlockStore.SECTOR, (byte) 3);
        s.write(2, new ByteBuffer[] {a, b});
        assertEquals(2, mem.writes.get(), "the gathering write went to the delegate's (default) one");
        ByteBuffer r = ByteBuffer.allocate(3 * BlockStore.SECTOR);
        s.read(2, r);
        assertEquals(1, mem.reads.get());
        assertArrayEquals(new byte[] {1, 2, 3}, new byte[] {r.get(0), r.get(BlockStore.SECTOR), r.get(2 * BlockStore.SECTOR)});
        s.flush();
        assertEquals(1, mem.flushes.get());
        assertEquals("mem", s.describe());
    }

    /** {@link Extension#wrap}: a wrapper never closes the store it wraps. */
    @Test
    void closeLeavesTheDelegateOpen() throws Exception {
        MemStore mem = new MemStore(8);
        new ForwardingBlockStore(mem) { }.close();
        assertFalse(mem.closed);
    }

    /** A submission would bypass the wrapper's read and write: a wrapper does not submit. */
    @Test
    void doesNotForwardSubmissions() {
        BlockStore submitting = new ForwardingBlockStore(new MemStore(8)) {
            @Override
            public boolean submits() {
                return true;
            }
        };
        BlockStore s = new ForwardingBlockStore(submitting) { };
        assertFalse(s.submits());
        assertTrue(s.asynchronous(), "the submitting store behind it is called on the I/O threads");
    }
}
