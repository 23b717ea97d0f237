package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A scan's many-chunks-at-once path ({@link ChunkHasher#hashChunks}) gives each chunk the digest a hash of that chunk
 * alone gives, for every algorithm, on heap, native and mapped segments, across window boundaries and with a short
 * last chunk; and XXH3-128 through libffi ({@link FfiXxh3_128}) matches the plain downcall for every length 0..4096
 * at offsets 0..7. The random input is seeded: the seed is printed, {@code -Ddeltasync.test.seed=N} replays it.
 */
class HashChunksTest {
    private static final long SEED = Long.getLong("deltasync.test.seed", new SplittableRandom().nextLong());

    @BeforeAll
    static void printSeedAndBind() {
        System.out.println("HashChunksTest seed " + SEED + " (replay with -Ddeltasync.test.seed=" + SEED + ")");
        if (Xxh3Backend.chosen().isNative()) {
            NativeXxh3.bindNow(); // else the first windows would go the fallback way, and it would be tested twice
        }
    }

    private static byte[] randomBytes(int length) {
        byte[] b = new byte[length];
        new SplittableRandom(SEED).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void manyChunksAtOnceDigestAsEachChunkAlone(HashAlgorithm algorithm, @TempDir Path dir) throws IOException {
        // 2.5 windows of 4 KiB chunks and a short tail, hashed from an odd offset inside the segment
        int length = NativeWindow.CAPACITY * 2 + NativeWindow.CAPACITY / 2 + 1234;
        byte[] bytes = randomBytes(length + 3);
        Path file = Files.write(dir.resolve("random.bin"), bytes);
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment offHeap = arena.allocate(bytes.length, 64);
            MemorySegment.copy(bytes, 0, offHeap, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            for (MemorySegment whole : new MemorySegment[] {MemorySegment.ofArray(bytes), offHeap, mapped}) {
                for (int chunkSize : new int[] {4096, 65536, NativeWindow.CAPACITY}) {
                    assertChunksMatch(algorithm, whole, 3, length, chunkSize);
                }
            }
        }
    }

    private static void assertChunksMatch(HashAlgorithm algorithm, MemorySegment whole, long offset, long length,
                                          int chunkSize) {
        int digest = algorithm.digestLength();
        int chunks = (int) ((length + chunkSize - 1) / chunkSize);
        byte[] atOnce = new byte[(chunks + 2) * digest];
        Arrays.fill(atOnce, (byte) 0x5A);
        algorithm.newHasher().hashChunks(whole, offset, length, chunkSize, atOnce, digest);
        ChunkHasher alone = algorithm.newHasher();
        for (int i = 0; i < chunks; i++) {
            long at = offset + (long) i * chunkSize;
            byte[] expected = alone.hash(whole.asSlice(at, Math.min(chunkSize, offset + length - at)));
            int n = i;
            assertArrayEquals(expected, Arrays.copyOfRange(atOnce, (i + 1) * digest, (i + 2) * digest),
                    () -> algorithm + " chunk " + n + " of " + chunkSize + " bytes, " + kind(whole) + ", seed " + SEED);
        }
        for (int i : new int[] {0, (chunks + 1) * digest}) {
            for (int b = i; b < i + digest; b++) {
                assertEquals((byte) 0x5A, atOnce[b], "byte " + b + " outside the digests written");
            }
        }
    }

    private static String kind(MemorySegment s) {
        return s.isNative() ? s.isMapped() ? "mapped" : "native" : "heap";
    }

    @Test
    void xxh3_128ThroughLibffiMatchesThePlainDowncall() {
        assumeTrue(Xxh3Backend.chosen().isNative(), Xxh3Backend.chosen().description());
        Optional<FfiXxh3_128> ffi = NativeXxh3.ffi128();
        assumeTrue(ffi.isPresent(), "libffi is not usable here");
        byte[] bytes = randomBytes(4096 + 8);
        MemorySegment data = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        FfiXxh3_128.Call call = ffi.get().newCall();
        NativeXxh3.Result128 plain = new NativeXxh3.Result128();
        for (int offset = 0; offset < 8; offset++) {
            for (int len = 0; len <= 4096; len++) {
                MemorySegment slice = data.asSlice(offset, len);
                NativeXxh3.hash128(slice, plain);
                call.hash(slice.address(), len);
                int o = offset;
                int l = len;
                assertTrue(call.low64() == plain.low64() && call.high64() == plain.high64(),
                        () -> "libffi differs at length " + l + ", offset " + o + ", seed " + SEED);
            }
        }
    }

    @Test
    void libffiIsUsedOnX86_64WhereItIsInstalled() {
        assumeTrue(Xxh3Backend.chosen().isNative(), Xxh3Backend.chosen().description());
        assumeTrue(FfiXxh3_128.defaultAbi(System.getProperty("os.arch")).isPresent(), "an architecture not known here");
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libffi.so.8"))
                || Files.exists(Path.of("/lib/x86_64-linux-gnu/libffi.so.8")), "libffi8 is not installed");
        assertTrue(NativeXxh3.ffi128().isPresent(), "libffi8 is installed but the libffi path did not bind");
    }
}
