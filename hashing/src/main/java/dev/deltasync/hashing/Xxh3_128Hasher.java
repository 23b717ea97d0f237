package dev.deltasync.hashing;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.MemorySegment;

/**
 * XXH3-128 (seed 0) via hash4j, through its {@code byte[]} path like {@link Xxh3_64Hasher}; digest in
 * canonical XXH128 order (high, low).
 */
final class Xxh3_128Hasher implements ChunkHasher {
    private static final Hasher128 XXH3 = Hashing.xxh3_128();

    private final ArrayWindow window = new ArrayWindow();

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.XXH3_128;
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        HashValue128 h = window.view(data)
                ? XXH3.hashBytesTo128Bits(window.array(), window.offset(), window.length())
                : XXH3.hashBytesTo128Bits(data, 0, data.byteSize(), Xxh3_64Hasher.SEGMENT_ACCESS);
        BigEndian.putLong(out, offset, h.getMostSignificantBits());
        BigEndian.putLong(out, offset + 8, h.getLeastSignificantBits());
    }
}
