package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The digest of {@code length} zero bytes under each hash, computed once per (hash, length) and kept. */
final class ZeroDigests {
    private static final Map<Long, byte[]> KNOWN = new ConcurrentHashMap<>();

    private ZeroDigests() {}

    /** The digest of {@code length} zeros; the array is shared: never change it. */
    static byte[] of(HashAlgorithm algorithm, int length) {
        return KNOWN.computeIfAbsent(((long) algorithm.ordinal() << 32) | length,
                key -> algorithm.newHasher().hash(MemorySegment.ofArray(new byte[length])));
    }
}
