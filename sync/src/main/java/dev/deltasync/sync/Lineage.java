package dev.deltasync.sync;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A region lineage: one replica following one region, across connections and restarts (PROTOCOL.md §9.6).
 * Epochs are numbered per lineage, so a reconnect continues the numbers. The id is 16 random bytes, chosen by
 * the replica when it starts to follow and kept in its state file; written as 32 lower-case hex digits.
 */
public record Lineage(long high, long low) {
    /** Bytes of a lineage id on the wire. */
    public static final int BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    public Lineage {
        if (high == 0 && low == 0) {
            throw new IllegalArgumentException("the all-zero lineage id means none");
        }
    }

    /** A new lineage, for a replica that has none yet. */
    public static Lineage random() {
        while (true) {
            long high = RANDOM.nextLong();
            long low = RANDOM.nextLong();
            if (high != 0 || low != 0) {
                return new Lineage(high, low);
            }
        }
    }

    /** @throws IllegalArgumentException unless {@code hex} is 32 hex digits, not all zero */
    public static Lineage parse(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    /** @throws IllegalArgumentException unless {@code id} is 16 bytes, not all zero */
    public static Lineage of(byte[] id) {
        if (id.length != BYTES) {
            throw new IllegalArgumentException("a lineage id is " + BYTES + " bytes, not " + id.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(id);
        return new Lineage(buffer.getLong(), buffer.getLong());
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(BYTES).putLong(high).putLong(low).array();
    }

    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
    }
}
