package dev.deltasync.hashing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Published test vectors, hashed from a MemorySegment, in the digest byte order the wire uses. */
class KnownAnswerTest {

    /** xxHash's sanity buffer (cli/xsum_sanity_check.c, XSUM_fillTestBuffer), 4096 + 64 + 1 bytes. */
    private static final byte[] XXH_SANITY_BUFFER = xxhSanityBuffer(4096 + 64 + 1);

    private static byte[] xxhSanityBuffer(int len) {
        byte[] b = new byte[len];
        long gen = 2654435761L; // PRIME32
        long prime64 = Long.parseUnsignedLong("11400714785074694797"); // not XXH64's PRIME64_1 (...791)
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (gen >>> 56);
            gen *= prime64;
        }
        return b;
    }

    /** BLAKE3 test_vectors.json input: bytes i % 251. */
    private static byte[] blake3Input(int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    private static String hash(HashAlgorithm a, byte[] input, int len) {
        return Hex.of(a.newHasher().hash(MemorySegment.ofArray(input).asSlice(0, len)));
    }

    /**
     * Every XXH3 backend this machine has (hash4j always, the native library where installed), each from a
     * heap array and from native memory at an unaligned address: the digests {@code xxhsum} prints.
     */
    private static void assertEveryXxh3Backend(String expected, byte[] input, int len, boolean wide) {
        List<Xxh3Backend> backends = new ArrayList<>(List.of(Xxh3Backend.hash4j("test")));
        Xxh3Backend nativeBackend = Xxh3Backend.choose("auto", () -> NativeXxh3.BINDING);
        if (nativeBackend.isNative()) {
            NativeXxh3.bindNow(); // else its first calls would go to hash4j
            backends.add(nativeBackend);
        }
        MemorySegment unaligned = Arena.ofAuto().allocate(len + 1, 8).asSlice(1, len);
        MemorySegment.copy(input, 0, unaligned, ValueLayout.JAVA_BYTE, 0, len);
        for (Xxh3Backend backend : backends) {
            ChunkHasher h = wide ? new Xxh3_128Hasher(backend) : new Xxh3_64Hasher(backend);
            for (MemorySegment data : List.of(MemorySegment.ofArray(input).asSlice(0, len), unaligned)) {
                assertEquals(expected, Hex.of(h.hash(data)), backend.description() + ", length " + len
                        + (data.isNative() ? ", native at an odd address" : ", heap"));
            }
        }
    }

    /** XSUM_XXH3_testdata, seed 0. */
    @ParameterizedTest
    @CsvSource({
        "0, 2d06800538d394c2", "1, c44bdff4074eecdb", "6, 27b56a84cd2d7325", "12, a713daf0dfbb77e7",
        "24, a3fe70bf9d3510eb", "48, 397da259ecba1f11", "80, bcdefbbb2c47c90a", "195, cd94217ee362ec3a",
        "403, cdeb804d65c6dea4", "512, 617e49599013cb6b", "2048, dd59e2c3a5f038e0", "2240, 6e73a90539cf2948",
        "2367, cb37aeb9e5d361ed"})
    void xxh3_64(int len, String expected) {
        assertEquals(expected, hash(HashAlgorithm.XXH3_64, XXH_SANITY_BUFFER, len), "length " + len);
        assertEveryXxh3Backend(expected, XXH_SANITY_BUFFER, len, false);
    }

    /** XSUM_XXH128_testdata, seed 0; the C table lists {low64, high64}, the digest is high then low. */
    @ParameterizedTest
    @CsvSource({
        "0, 99aa06d3014798d8, 6001c324468d497f", "1, a6cd5e9392000f6a, c44bdff4074eecdb",
        "6, 082afe0b8162d12a, 3e7039bdda43cfc6", "12, 6e3efd8fc7802b18, 061a192713f69ad9",
        "24, 0ce966e4678d3761, 1e7044d28b1b901d", "48, a002ac4e5478227e, f942219aed80f67b",
        "81, 4952f58181ab0042, 5e8bafb9f95fb803", "222, 337e09641b948717, f1aebd597cec6b3a",
        "403, 1b6de21e332dd73d, cdeb804d65c6dea4", "512, 18d2d110dcc9bca1, 617e49599013cb6b",
        "2048, f736557fd47073a5, dd59e2c3a5f038e0", "2240, ccb134fbfa7ce49d, 6e73a90539cf2948",
        "2367, e89c0f6ff369b427, cb37aeb9e5d361ed"})
    void xxh3_128(int len, String high, String low) {
        assertEquals(high + low, hash(HashAlgorithm.XXH3_128, XXH_SANITY_BUFFER, len), "length " + len);
        assertEveryXxh3Backend(high + low, XXH_SANITY_BUFFER, len, true);
    }

    /** BLAKE3 test_vectors/test_vectors.json, "hash" mode, first 32 bytes. */
    @ParameterizedTest
    @CsvSource({
        "0, af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        "1, 2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
        "1023, 10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
        "1024, 42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
        "1025, d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444",
        "2048, e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
        "4097, 9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995",
        "7169, a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817"})
    void blake3(int len, String expected) {
        assertEquals(expected, hash(HashAlgorithm.BLAKE3, blake3Input(len), len), "length " + len);
    }

    /** The CRC catalogue's check values: the checksum of ASCII "123456789". */
    @ParameterizedTest
    @CsvSource({"CRC32C, e3069283", "CRC32, cbf43926"})
    void crcCheckValues(HashAlgorithm a, String expected) {
        byte[] check = "123456789".getBytes(US_ASCII);
        assertEquals(expected, hash(a, check, check.length));
    }

    @ParameterizedTest
    @CsvSource({"CRC32C, 00000000", "CRC32, 00000000"})
    void crcOfEmptyInputIsZero(HashAlgorithm a, String expected) {
        assertEquals(expected, hash(a, new byte[0], 0));
    }
}
