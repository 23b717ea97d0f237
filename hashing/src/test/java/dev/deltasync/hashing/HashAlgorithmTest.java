package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HashAlgorithmTest {

    /** These numbers are on the wire (docs/PROTOCOL.md): changing one breaks every peer. */
    @Test
    void pinsWireIdsNamesAndLengths() {
        assertEquals(5, HashAlgorithm.values().length, "a new algorithm needs a new pinned row here");
        assertPinned(HashAlgorithm.XXH3_64, 1, "xxh3-64", 8);
        assertPinned(HashAlgorithm.XXH3_128, 2, "xxh3-128", 16);
        assertPinned(HashAlgorithm.BLAKE3, 3, "blake3", 32);
        assertPinned(HashAlgorithm.CRC32C, 4, "crc32c", 4);
        assertPinned(HashAlgorithm.CRC32, 5, "crc32", 4);
    }

    private static void assertPinned(HashAlgorithm a, int wireId, String cliName, int digestLength) {
        assertEquals(wireId, a.wireId(), a + " wire id");
        assertEquals(cliName, a.cliName(), a + " cli name");
        assertEquals(digestLength, a.digestLength(), a + " digest length");
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void lookupsRoundTrip(HashAlgorithm a) {
        assertEquals(Optional.of(a), HashAlgorithm.fromWireId(a.wireId()));
        assertEquals(a, HashAlgorithm.fromCliName(a.cliName()));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void newHasherIsFreshAndOfThatAlgorithm(HashAlgorithm a) {
        ChunkHasher h = a.newHasher();
        assertEquals(a, h.algorithm());
        assertNotSame(h, a.newHasher());
    }

    @Test
    void unknownWireIdIsEmpty() {
        assertEquals(Optional.empty(), HashAlgorithm.fromWireId(0));
        assertEquals(Optional.empty(), HashAlgorithm.fromWireId(6));
        assertEquals(Optional.empty(), HashAlgorithm.fromWireId(-1));
    }

    @Test
    void unknownCliNameListsTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HashAlgorithm.fromCliName("md5"));
        assertTrue(e.getMessage().contains("'md5'"), e.getMessage());
        assertTrue(e.getMessage().contains("xxh3-64, xxh3-128, blake3, crc32c, crc32"), e.getMessage());
    }

    @Test
    void cliNamesAreCaseSensitive() {
        assertThrows(IllegalArgumentException.class, () -> HashAlgorithm.fromCliName("XXH3-64"));
    }
}
