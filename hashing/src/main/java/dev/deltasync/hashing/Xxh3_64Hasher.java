package dev.deltasync.hashing;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.MemorySegment;

/**
 * XXH3-64 (seed 0) via hash4j, which reads the segment in place through its FFM {@link ByteAccess};
 * bench/Xxh3LibraryBenchmark shows why hash4j rather than zero-allocation-hashing.
 */
final class Xxh3_64Hasher implements ChunkHasher {
    static final ByteAccess<MemorySegment> SEGMENT_ACCESS = ByteAccess.forMemorySegment(MemorySegment.class);
    private static final Hasher64 XXH3 = Hashing.xxh3_64();

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.XXH3_64;
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        BigEndian.putLong(out, offset, XXH3.hashBytesToLong(data, 0, data.byteSize(), SEGMENT_ACCESS));
    }
}
