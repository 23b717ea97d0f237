package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hashing an off-heap segment at an unaligned offset equals hashing a byte[] copy through each library's
 * plain byte[] API, for every length 0..4096: catches segment-access and tail-handling bugs. For XXH3 the
 * hasher is the JVM's chosen backend (native where libxxhash is installed) and the reference hash4j, so this
 * is also native against Java. Seeded: the seed is printed, {@code -Ddeltasync.test.seed=N} replays it.
 */
class DifferentialTest {
    private static final int MAX_LEN = 4096;
    private static final int UNALIGNED = 3;
    private static final long SEED = Long.getLong("deltasync.test.seed", new Random().nextLong());

    @BeforeAll
    static void printSeedAndBind() {
        System.out.println("DifferentialTest seed " + SEED + " (replay with -Ddeltasync.test.seed=" + SEED + ")");
        if (NativeXxh3.BINDING.description().isPresent()) {
            NativeXxh3.bindNow(); // the chosen backend's native path from the first call, not after a warm-up
        }
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void segmentAtUnalignedOffsetMatchesByteArrayApi(HashAlgorithm algorithm) {
        byte[] random = new byte[MAX_LEN + UNALIGNED];
        new Random(SEED + algorithm.ordinal()).nextBytes(random);
        ChunkHasher hasher = algorithm.newHasher(); // reused, as workers do: state must not leak between calls
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(random.length, 64);
            MemorySegment.copy(random, 0, region, ValueLayout.JAVA_BYTE, 0, random.length);
            for (int len = 0; len <= MAX_LEN; len++) {
                byte[] copy = region.asSlice(UNALIGNED, len).toArray(ValueLayout.JAVA_BYTE);
                byte[] actual = hasher.hash(region.asSlice(UNALIGNED, len));
                assertArrayEquals(reference(algorithm, copy), actual,
                        algorithm + " differs at length " + len + ", seed " + SEED);
            }
        }
    }

    /** Lengths around 64 KiB and beyond, from an unaligned native segment. */
    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void largeSegmentsMatchByteArrayApi(HashAlgorithm algorithm) {
        byte[] random = new byte[3 * 65536 + 5 + UNALIGNED];
        new Random(SEED + 16 + algorithm.ordinal()).nextBytes(random);
        MemorySegment region = Arena.ofAuto().allocate(random.length);
        MemorySegment.copy(random, 0, region, ValueLayout.JAVA_BYTE, 0, random.length);
        for (int len : new int[] {65535, 65536, 65537, 3 * 65536 + 5}) {
            byte[] copy = region.asSlice(UNALIGNED, len).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(reference(algorithm, copy), algorithm.newHasher().hash(region.asSlice(UNALIGNED, len)),
                    algorithm + " differs at length " + len + ", seed " + SEED);
        }
    }

    /** Native segments larger than one ArrayWindow copy, which each hasher then reads its own way. */
    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void nativeSegmentsLargerThanOneWindowMatchByteArrayApi(HashAlgorithm algorithm) {
        int len = ArrayWindow.MAX_COPY + 65536 + 3;
        byte[] random = new byte[len];
        new Random(SEED + 32 + algorithm.ordinal()).nextBytes(random);
        MemorySegment region = Arena.ofAuto().allocate(len);
        MemorySegment.copy(random, 0, region, ValueLayout.JAVA_BYTE, 0, len);
        assertArrayEquals(reference(algorithm, random), algorithm.newHasher().hash(region),
                algorithm + ", seed " + SEED);
    }

    private static byte[] reference(HashAlgorithm algorithm, byte[] data) {
        return switch (algorithm) {
            case XXH3_64 -> ByteBuffer.allocate(8).putLong(Hashing.xxh3_64().hashBytesToLong(data)).array();
            case XXH3_128 -> {
                HashValue128 h = Hashing.xxh3_128().hashBytesTo128Bits(data);
                yield ByteBuffer.allocate(16)
                        .putLong(h.getMostSignificantBits()).putLong(h.getLeastSignificantBits()).array();
            }
            case BLAKE3 -> {
                Blake3Digest d = new Blake3Digest(256);
                d.update(data, 0, data.length);
                byte[] out = new byte[32];
                d.doFinal(out, 0);
                yield out;
            }
            case CRC32C -> {
                CRC32C c = new CRC32C();
                c.update(data);
                yield ByteBuffer.allocate(4).putInt((int) c.getValue()).array();
            }
            case CRC32 -> {
                CRC32 c = new CRC32();
                c.update(data);
                yield ByteBuffer.allocate(4).putInt((int) c.getValue()).array();
            }
        };
    }
}
