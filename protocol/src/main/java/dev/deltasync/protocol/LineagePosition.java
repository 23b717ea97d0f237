package dev.deltasync.protocol;

import java.util.Arrays;

/**
 * Where a region lineage stands (PROTOCOL.md §9.6): its 16-byte id and the last epoch numbered in it. In OPEN an
 * all-zero id with epoch 0 means "no lineage yet"; in OPEN_OK the id is never all zero.
 */
public record LineagePosition(byte[] id, long epoch) {
    public static final LineagePosition NONE = new LineagePosition(new byte[Constants.LINEAGE_ID_LENGTH], 0);

    public LineagePosition {
        Wire.length(id, Constants.LINEAGE_ID_LENGTH, Constants.LINEAGE_ID_LENGTH, "lineage id");
        Wire.check(epoch >= 0, "lineage epoch has the reserved high bit set");
        Wire.check(!isNone(id) || epoch == 0, "lineage epoch %d without a lineage id", epoch);
        id = id.clone();
    }

    /** True for the all-zero id: no lineage. */
    public boolean isNone() {
        return isNone(id);
    }

    @Override
    public byte[] id() {
        return id.clone();
    }

    private static boolean isNone(byte[] id) {
        for (byte b : id) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LineagePosition p && epoch == p.epoch && Arrays.equals(id, p.id);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(epoch) + Arrays.hashCode(id);
    }

    @Override
    public String toString() {
        return Wire.hex(id) + "@" + epoch;
    }
}
