package org.aoede.server;

import java.util.Arrays;

/**
 * What initiators change over the wire: the config string, the MAC mask list and the
 * reservation. Immutable: the data path reads one volatile snapshot, edits replace it.
 */
public record LiveState(byte[] configString, long[] mask, long[] reservation) {
    public static final LiveState EMPTY = new LiveState(new byte[0], new long[0], new long[0]);

    public boolean allowed(long mac) {
        return mask.length == 0 || contains(mask, mac);
    }

    /** True if the host may use ATA commands other than IDENTIFY. */
    public boolean mayUse(long mac) {
        return reservation.length == 0 || contains(reservation, mac);
    }

    public LiveState withConfig(byte[] s) {
        return new LiveState(s.clone(), mask, reservation);
    }

    public LiveState withMask(long[] m) {
        return new LiveState(configString, m.clone(), reservation);
    }

    public LiveState withReservation(long[] r) {
        return new LiveState(configString, mask, r.clone());
    }

    static boolean contains(long[] list, long mac) {
        for (long m : list) {
            if (m == mac) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LiveState s && Arrays.equals(configString, s.configString)
                && Arrays.equals(mask, s.mask) && Arrays.equals(reservation, s.reservation);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(configString) * 31 + Arrays.hashCode(mask) * 7 + Arrays.hashCode(reservation);
    }
}
