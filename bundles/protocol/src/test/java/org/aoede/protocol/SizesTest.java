package org.aoede.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void bytesAndBinaryUnits() {
        assertEquals(0, Sizes.parse("k", "0"));
        assertEquals(123, Sizes.parse("k", "123"));
        assertEquals(123, Sizes.parse("k", "123B"));
        assertEquals(512L << 10, Sizes.parse("k", "512k"));
        assertEquals(64L << 20, Sizes.parse("k", "64M"));
        assertEquals(64L << 20, Sizes.parse("k", " 64 mb "));
        assertEquals(2L << 30, Sizes.parse("k", "2g"));
        assertEquals(3L << 40, Sizes.parse("k", "3T"));
        assertEquals(Long.MAX_VALUE, Sizes.parse("k", String.valueOf(Long.MAX_VALUE)));
        assertEquals(8388607L << 40, Sizes.parse("k", "8388607T"));
    }

    @Test
    void badTextIsRefusedNamingKeyAndText() {
        for (String bad : new String[] {"", " ", "M", "12X", "1.5G", "abc", "12 K M", "1P", "KB"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Sizes.parse("cache.size", bad), bad);
            assertTrue(e.getMessage().startsWith("cache.size: '" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("k", null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("k", "-1")).getMessage()
                .contains("negative"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("k", "8388608T")).getMessage()
                .contains("too large"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("k", "99999999999999999999"));
    }
}
