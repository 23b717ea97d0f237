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

    /** Convenience form that allocates the digest; hot paths use {@link #hash(MemorySegment, byte[], int)}. */
    default byte[] hash(MemorySegment data) {
        byte[] out = new byte[algorithm().digestLength()];
        hash(data, out, 0);
        return out;
    }
}
