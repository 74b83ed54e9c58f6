package org.aoede.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Known answers, computed here independently of the table-driven implementation. */
class Crc8x4Test {

    /** Straightforward CRC-8: MSB first with polynomial 0x4D, input and output bit-reflected. */
    static int crc8Msb(byte[] data, int from, int step, int to) {
        int c = 0xFF;                               // reflect(0xFF) = 0xFF
        for (int i = from; i < to; i += step) {
            c ^= Integer.reverse(data[i] & 0xff) >>> 24;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x80) != 0 ? ((c << 1) ^ 0x4D) & 0xff : (c << 1) & 0xff;
            }
        }
        return Integer.reverse(c) >>> 24;
    }

    /** Straightforward CRC-8, LSB first with the reflected polynomial 0xB2 (the original's loop). */
    static int crc8Lsb(byte[] data, int from, int step, int to) {
        int c = 0xFF;
        for (int i = from; i < to; i += step) {
            c ^= data[i] & 0xff;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xB2 : c >>> 1;
            }
        }
        return c;
    }

    static int lanes(byte[] d, int from, int to) {
        int r = 0;
        for (int lane = 0; lane < 4; lane++) {
            r = r << 8 | crc8Msb(d, from + lane, 4, to);
        }
        return r;
    }

    static int x4(byte[] d) {
        return Crc8x4.compute(ByteBuffer.wrap(d), 0, d.length);
    }

    @Test
    void singleLaneMatchesCatalogue() {
        // CRC-8/KOOP (poly 0x4D, init 0xFF, reflected, xorout 0xFF) has check value 0xD8; without
        // the final xor that is 0x27. Lane 0 of a one-byte-per-lane stride is a plain CRC-8.
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x27, crc8Msb(check, 0, 1, check.length));
        assertEquals(0x27, crc8Lsb(check, 0, 1, check.length));
        byte[] spread = new byte[check.length * 4];
        for (int i = 0; i < check.length; i++) {
            spread[4 * i] = check[i];
        }
        assertEquals(0x27, x4(spread) >>> 24);
    }

    @Test
    void fixedVectors() {
        assertEquals(0xFFFFFFFF, x4(new byte[0]));                      // nothing: the initial values
        assertEquals(0x15FFFFFF, x4(new byte[1]));                      // 0x00 into lane 0 only
        assertEquals(0x69A35DF8, x4("123456789".getBytes(StandardCharsets.US_ASCII)));
        byte[] frame = new byte[12 + 1024];
        byte[] hdr = {0x40, 0, 2, 0x24, 1, 2, 3, 4, 5, 6, 0, 0};
        System.arraycopy(hdr, 0, frame, 0, 12);
        for (int i = 0; i < 1024; i++) {
            frame[12 + i] = (byte) i;
        }
        assertEquals(0x77E527FB, x4(frame));                            // an ATA header + 2 sectors
    }

    @Test
    void tableMatchesBitwiseOnRandomData() {
        Random r = new Random(42);
        for (int n = 0; n < 200; n++) {
            byte[] d = new byte[r.nextInt(2000)];
            r.nextBytes(d);
            int from = d.length == 0 ? 0 : r.nextInt(Math.min(d.length, 40));
            int expect = lanes(d, from, d.length);
            assertEquals(expect, Crc8x4.compute(ByteBuffer.wrap(d), from, d.length), "length " + d.length);
            for (int lane = 0; lane < 4; lane++) {
                assertEquals(crc8Msb(d, from + lane, 4, d.length), crc8Lsb(d, from + lane, 4, d.length));
            }
        }
    }

    @Test
    void bytesGoToLaneIModFour() {
        for (int i = 0; i < 8; i++) {
            byte[] d = new byte[8];
            d[i] = 0x5A;
            int c = x4(d);
            int zeroes = x4(new byte[8]);
            for (int lane = 0; lane < 4; lane++) {
                int shift = 24 - 8 * lane;
                boolean changed = ((c >>> shift) & 0xff) != ((zeroes >>> shift) & 0xff);
                assertEquals(lane == i % 4, changed, "byte " + i + " lane " + lane);
            }
        }
    }

    @Test
    void appendThenVerify() {
        ByteBuffer f = ByteBuffer.allocate(24 + 12 + 512 + 4);
        new Random(1).nextBytes(f.array());
        int end = 24 + 12 + 512;
        assertEquals(end + 4, Crc8x4.append(f, 24, end));
        assertTrue(Crc8x4.verify(f, 24, end));
        int c = Crc8x4.compute(f, 24, end);
        assertEquals((byte) (c >>> 24), f.get(end));                      // lane 0 first
        assertEquals((byte) c, f.get(end + 3));
        f.put(100, (byte) (f.get(100) ^ 1));
        assertFalse(Crc8x4.verify(f, 24, end));
    }
}
