package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;

/**
 * Hashes one chunk of memory into a fixed-length digest.
 *
 * <p>Implementations read the segment in place where the underlying library allows it and keep any
 * scratch buffer per instance, so they are not thread-safe: use one hasher per thread.
 */
public interface ChunkHasher {

    HashAlgorithm algorithm();

    /** Which code computes the digests, for diagnostics: e.g. "native libxxhash.so.0 0.8.1, SIMD dispatch". */
    String implementation();

    /**
     * Hashes the whole segment (any length, including 0) and writes {@code algorithm().digestLength()}
     * bytes to {@code out[offset..]}, in the byte order documented on {@link HashAlgorithm}.
     */
    void hash(MemorySegment data, byte[] out, int offset);

    /**
     * Hashes the consecutive chunks of {@code region[offset, offset + length)}, each {@code chunkSize} bytes but the
     * last, which may be shorter, into {@code out[outOffset..]}, one digest after another: as many
     * {@link #hash(MemorySegment, byte[], int)} calls, which hashers that gain from it (many chunks per copy or
     * call) do at once. A scan's path.
     */
    default void hashChunks(MemorySegment region, long offset, long length, int chunkSize, byte[] out, int outOffset) {
        int digestLength = algorithm().digestLength();
        for (long at = 0; at < length; at += chunkSize) {
            hash(region.asSlice(offset + at, Math.min(chunkSize, length - at)), out, outOffset);
            outOffset += digestLength;
        }
    }

    /** Convenience form that allocates the digest; hot paths use {@link #hash(MemorySegment, byte[], int)}. */
    default byte[] hash(MemorySegment data) {
        byte[] out = new byte[algorithm().digestLength()];
        hash(data, out, 0);
        return out;
    }
}
