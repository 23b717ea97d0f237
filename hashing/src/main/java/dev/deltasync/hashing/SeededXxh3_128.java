package dev.deltasync.hashing;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.MemorySegment;

/**
 * XXH3-128 with a seed (libxxhash's {@code XXH3_128bits_withSeed}), digest in canonical XXH128 order (high, low),
 * through hash4j. Refinement's page digests (PROTOCOL.md §9.9) use it with a random seed per REFINE: XXH3's
 * collisions come from data lanes that cancel against its secret, and the seed changes the secret, so a peer that
 * cannot predict the seed cannot craft pages that collide. Seed 0 gives {@link HashAlgorithm#XXH3_128}'s digests.
 */
public final class SeededXxh3_128 {
    /** Bytes of one digest. */
    public static final int DIGEST_LENGTH = 16;

    private final Hasher128 xxh3;
    private final ArrayWindow window = new ArrayWindow();

    public SeededXxh3_128(long seed) {
        this.xxh3 = Hashing.xxh3_128(seed);
    }

    /** Writes the digest of {@code data} into {@code out} from {@code offset}. */
    public void hash(MemorySegment data, byte[] out, int offset) {
        HashValue128 h = window.view(data)
                ? xxh3.hashBytesTo128Bits(window.array(), window.offset(), window.length())
                : xxh3.hashBytesTo128Bits(data, 0, data.byteSize(), Xxh3_64Hasher.SEGMENT_ACCESS);
        BigEndian.putLong(out, offset, h.getMostSignificantBits());
        BigEndian.putLong(out, offset + 8, h.getLeastSignificantBits());
    }
}
