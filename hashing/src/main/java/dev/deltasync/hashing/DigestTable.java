package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * The digests of every chunk of a region, in one flat {@code byte[]}: chunk {@code i}'s digest is at
 * {@code [i * digestLength, (i + 1) * digestLength)}. One array rather than an object per chunk keeps a
 * table for a large region small, cheap to copy and fast to diff.
 *
 * <p>Geometry: {@code chunkCount = ceil(regionSize / chunkSize)}; every chunk is {@code chunkSize} bytes
 * except the last, which holds the remainder. A table is not thread-safe, except that distinct indices may
 * be written concurrently (which {@link ParallelScanner} relies on).
 */
public final class DigestTable {
    /** The smallest chunk a table is cut into (PROTOCOL.md §9.5 takes it from here). */
    public static final int MIN_CHUNK_SIZE = 4096;
    /** Largest array the JVM reliably allocates. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private final HashAlgorithm algorithm;
    private final long regionSize;
    private final int chunkSize;
    private final int chunkCount;
    private final int digestLength;
    private final byte[] digests;

    private DigestTable(HashAlgorithm algorithm, long regionSize, int chunkSize, int chunkCount, byte[] digests) {
        this.algorithm = algorithm;
        this.regionSize = regionSize;
        this.chunkSize = chunkSize;
        this.chunkCount = chunkCount;
        this.digestLength = algorithm.digestLength();
        this.digests = digests;
    }

    /**
     * An all-zero table for a region of {@code regionSize} bytes cut into {@code chunkSize} chunks.
     *
     * @throws IllegalArgumentException if {@code chunkSize} is not a power of two of at least {@value #MIN_CHUNK_SIZE}, the region
     *     size is negative, or the table would not fit in one array
     */
    public static DigestTable create(HashAlgorithm algorithm, long regionSize, int chunkSize) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (chunkSize < MIN_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunk size must be a power of two >= " + MIN_CHUNK_SIZE + ": " + chunkSize);
        }
        if (regionSize < 0) {
            throw new IllegalArgumentException("negative region size: " + regionSize);
        }
        long count = regionSize / chunkSize + (regionSize % chunkSize == 0 ? 0 : 1); // no overflow near 2^63
        long bytes = count * algorithm.digestLength();
        if (count > Integer.MAX_VALUE || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("region of " + regionSize + " bytes needs " + count
                    + " chunks of " + chunkSize + " bytes: too many digests for one table; use larger chunks");
        }
        return new DigestTable(algorithm, regionSize, chunkSize, (int) count, new byte[(int) bytes]);
    }

    public HashAlgorithm algorithm() {
        return algorithm;
    }

    public long regionSize() {
        return regionSize;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int chunkCount() {
        return chunkCount;
    }

    public int digestLength() {
        return digestLength;
    }

    /** Byte offset of chunk {@code index} in the region. */
    public long chunkOffset(int index) {
        Objects.checkIndex(index, chunkCount);
        return (long) index * chunkSize;
    }

    /** Length of chunk {@code index}: {@code chunkSize}, except a shorter last chunk. */
    public int chunkLength(int index) {
        return (int) Math.min(chunkSize, regionSize - chunkOffset(index));
    }

    public void set(int index, byte[] digest, int offset) {
        writeRange(index, 1, digest, offset);
    }

    public void get(int index, byte[] dst, int offset) {
        readRange(index, 1, dst, offset);
    }

    /** Records chunk {@code index} as all zeros: the one zero digest of its length, nothing read or hashed. */
    public void setZeros(int index) {
        set(index, ZeroDigests.of(algorithm, chunkLength(index)), 0);
    }

    /** As {@link #setZeros(int)} for chunks {@code [from, to)}, in bulk: a hole of a million chunks is one fill. */
    public void setZeros(int from, int to) {
        Objects.checkFromToIndex(from, to, chunkCount);
        int full = to == chunkCount && to > from && chunkLength(to - 1) != chunkSize ? to - 1 : to;
        if (full > from) {
            int start = from * digestLength;
            int length = (full - from) * digestLength;
            System.arraycopy(ZeroDigests.of(algorithm, chunkSize), 0, digests, start, digestLength);
            for (int filled = digestLength; filled < length; filled *= 2) {
                System.arraycopy(digests, start, digests, start + filled, Math.min(filled, length - filled));
            }
        }
        if (full < to) {
            setZeros(full);
        }
    }

    /** Whether chunk {@code index}'s digest is the zero digest of its length. */
    public boolean isZeros(int index) {
        int from = index * digestLength;
        return Arrays.equals(digests, from, from + digestLength, ZeroDigests.of(algorithm, chunkLength(index)), 0,
                digestLength);
    }

    /** Hashes chunks {@code from} (inclusive) to {@code to} (exclusive) of {@code region} straight into this table, in one call. */
    void hashChunks(int from, int to, MemorySegment region, ChunkHasher hasher) {
        long offset = chunkOffset(from);
        long end = chunkOffset(to - 1) + chunkLength(to - 1);
        hasher.hashChunks(region, offset, end - offset, chunkSize, digests, from * digestLength);
    }

    /** Whether chunk {@code index} has the same digest here and in {@code other} (same geometry required). */
    public boolean sameAt(int index, DigestTable other) {
        requireSameGeometry(other);
        Objects.checkIndex(index, chunkCount);
        int from = index * digestLength;
        int to = from + digestLength;
        return Arrays.equals(digests, from, to, other.digests, from, to);
    }

    /** Copies chunk {@code index}'s digest from {@code from}, e.g. once the replica acknowledged that chunk. */
    public void copyDigest(int index, DigestTable from) {
        requireSameGeometry(from);
        Objects.checkIndex(index, chunkCount);
        System.arraycopy(from.digests, index * digestLength, digests, index * digestLength, digestLength);
    }

    /** Replaces every digest with {@code other}'s. */
    public void copyFrom(DigestTable other) {
        requireSameGeometry(other);
        System.arraycopy(other.digests, 0, digests, 0, digests.length);
    }

    public DigestTable copy() {
        return new DigestTable(algorithm, regionSize, chunkSize, chunkCount, digests.clone());
    }

    /**
     * Indices, ascending, of the chunks whose digests differ between this table and {@code other}.
     *
     * @throws IllegalArgumentException if the tables differ in algorithm, region size or chunk size
     */
    public int[] diff(DigestTable other) {
        requireSameGeometry(other);
        int[] found = new int[16];
        int n = 0;
        int pos = 0;
        int end = digests.length;
        while (pos < end) {
            // mismatch() skips long equal runs with vectorized compares: steady state is mostly equal.
            int m = Arrays.mismatch(digests, pos, end, other.digests, pos, end);
            if (m < 0) {
                break;
            }
            int index = (pos + m) / digestLength;
            if (n == found.length) {
                found = Arrays.copyOf(found, n * 2);
            }
            found[n++] = index;
            pos = (index + 1) * digestLength;
        }
        return Arrays.copyOf(found, n);
    }

    /**
     * The root digest: this table's algorithm applied to the concatenation of all chunk digests in index
     * order, i.e. to the {@code chunkCount * digestLength} bytes {@link #readRange readRange(0, chunkCount)}
     * returns. An empty region's root is the algorithm's digest of the empty input.
     */
    public byte[] rootDigest() {
        return algorithm.newHasher().hash(MemorySegment.ofArray(digests));
    }

    /** Copies the raw digests of chunks {@code [firstIndex, firstIndex + count)} to {@code dst[offset..]}. */
    public void readRange(int firstIndex, int count, byte[] dst, int offset) {
        Objects.checkFromIndexSize(firstIndex, count, chunkCount);
        System.arraycopy(digests, firstIndex * digestLength, dst, offset, count * digestLength);
    }

    /** Overwrites the digests of chunks {@code [firstIndex, firstIndex + count)} from {@code src[offset..]}. */
    public void writeRange(int firstIndex, int count, byte[] src, int offset) {
        Objects.checkFromIndexSize(firstIndex, count, chunkCount);
        System.arraycopy(src, offset, digests, firstIndex * digestLength, count * digestLength);
    }

    private void requireSameGeometry(DigestTable other) {
        if (other.algorithm != algorithm || other.regionSize != regionSize || other.chunkSize != chunkSize) {
            throw new IllegalArgumentException("digest tables differ: " + this + " vs " + other);
        }
    }

    /** Equal when algorithm, geometry and every digest are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof DigestTable t && t.algorithm == algorithm && t.regionSize == regionSize
                && t.chunkSize == chunkSize && Arrays.equals(t.digests, digests);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, regionSize, chunkSize) * 31 + Arrays.hashCode(digests);
    }

    @Override
    public String toString() {
        return "DigestTable[" + algorithm.cliName() + ", region " + regionSize + " B, chunk " + chunkSize
                + " B, " + chunkCount + " chunks]";
    }
}
