package dev.deltasync.hashing;

/**
 * Where a region is known to read as zeros without being read: for a file, its holes ({@code lseek} with
 * {@code SEEK_DATA}/{@code SEEK_HOLE}). A scan gives the chunks that lie wholly in such a run the one zero digest
 * of their length ({@link DigestTable#setZeros}) instead of faulting in and hashing pages of zeros, so a sparse
 * region costs what its data costs.
 *
 * <p>An answer may be out of date the moment it is given (another writer fills a hole or punches one); that is
 * the same as a write landing just after a chunk was hashed, which the next scan sees. Answers must err towards
 * data: saying "data" for zeros only costs a read, saying "zeros" for data would hide it.
 */
public interface KnownZeros {
    /** Nothing is known: every byte may be data (a mapping without a file, a file system that cannot tell). */
    KnownZeros NONE = new KnownZeros() {
        @Override
        public long nextData(long from) {
            return from;
        }

        @Override
        public long dataEnd(long from) {
            return Long.MAX_VALUE;
        }
    };

    /** The first offset at or after {@code from} that may hold a non-zero byte: {@code from} itself when unknown,
     * {@link Long#MAX_VALUE} (or any offset past the region's end) when only zeros follow. */
    long nextData(long from);

    /** The first offset after {@code from} (which {@link #nextData} returned) from which zeros are known again:
     * the end of the data run starting there. */
    long dataEnd(long from);
}
