package dev.deltasync.hashing;

/**
 * Asks {@link KnownZeros} whether ranges of a region are all zeros, remembering the last run of zeros and the last
 * run of data it learnt of, so a scan walking forward costs two look-ups per run rather than one per chunk. A
 * range that touches data, however little, is data. One cursor per thread.
 */
public final class ZeroCursor {
    private final KnownZeros zeros;
    private long zerosFrom;
    private long zerosTo;
    private long dataFrom;
    private long dataTo;

    public ZeroCursor(KnownZeros zeros) {
        this.zeros = zeros;
    }

    /** True when {@code [offset, offset + length)} is known to read as zeros. */
    public boolean allZeros(long offset, long length) {
        long end = offset + length;
        if (offset >= zerosFrom && end <= zerosTo) {
            return true;
        }
        if (offset >= dataFrom && offset < dataTo) {
            return false;
        }
        long data = zeros.nextData(offset);
        if (data > offset) {
            zerosFrom = offset;
            zerosTo = data;
            if (data >= end) {
                return true;
            }
        }
        dataFrom = data;
        dataTo = zeros.dataEnd(data);
        return false;
    }
}
