package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Refinement's seeded page digests: the C library's values, and seed 0 as the unseeded stream hash. */
class SeededXxh3_128Test {

    private static byte[] input(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 131 + 7);
        }
        return b;
    }

    private static String digest(long seed, MemorySegment data) {
        byte[] out = new byte[SeededXxh3_128.DIGEST_LENGTH + 2];
        new SeededXxh3_128(seed).hash(data, out, 1);
        return Hex.of(java.util.Arrays.copyOfRange(out, 1, 1 + SeededXxh3_128.DIGEST_LENGTH));
    }

    /**
     * libxxhash 0.8's {@code XXH3_128bits_withSeed} (through ctypes, high then low), on bytes (i*131+7) mod 256; the
     * empty input at seed 0 is xxHash's published XXH3-128 of nothing.
     */
    @ParameterizedTest
    @CsvSource({
        "0, 0, 99aa06d3014798d86001c324468d497f",
        "0, 9e3779b97f4a7c15, d142977a2cca554b4ca5176998171787",
        "1, 9e3779b97f4a7c15, 00a711eb5a736b262f3acd3805f81de3",
        "100, 9e3779b97f4a7c15, fe7093af14e2900b0c13fb407b8a2777",
        "1000, 9e3779b97f4a7c15, acd6530d1a0a726aa6fa06f07fb6c797",
        "4096, 0, 3e0ff38fa88a55ea9ddd66c14af0daff",
        "4096, 9e3779b97f4a7c15, 51cfb433b55fb224c7bc989f5d547a4d",
    })
    void matchesTheCLibrary(int length, String seedHex, String expected) {
        long seed = Long.parseUnsignedLong(seedHex, 16);
        byte[] bytes = input(length);
        assertEquals(expected, digest(seed, MemorySegment.ofArray(bytes)), "heap");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(Math.max(1, length)).asSlice(0, length);
            off.copyFrom(MemorySegment.ofArray(bytes));
            assertEquals(expected, digest(seed, off), "native memory");
        }
    }

    @Test
    void seedZeroIsTheStreamHashAndAnotherSeedIsNot() {
        MemorySegment page = MemorySegment.ofArray(input(4096));
        byte[] unseeded = new byte[16];
        HashAlgorithm.XXH3_128.newHasher().hash(page, unseeded, 0);
        assertEquals(Hex.of(unseeded), digest(0, page));
        assertNotEquals(Hex.of(unseeded), digest(1, page));
    }
}
