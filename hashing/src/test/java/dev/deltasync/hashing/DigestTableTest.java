package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTableTest {
    private static final int CHUNK = 4096;

    @ParameterizedTest
    @CsvSource({
        "0, 0, 0", // empty region: no chunks
        "1, 1, 1",
        "4095, 1, 4095",
        "4096, 1, 4096", // exact multiple: last chunk full
        "4097, 2, 1",
        "40960, 10, 4096",
        "40961, 11, 1"})
    void geometry(long regionSize, int chunkCount, int lastLength) {
        DigestTable t = DigestTable.create(HashAlgorithm.XXH3_128, regionSize, CHUNK);
        assertEquals(regionSize, t.regionSize());
        assertEquals(CHUNK, t.chunkSize());
        assertEquals(16, t.digestLength());
        assertEquals(chunkCount, t.chunkCount());
        if (chunkCount > 0) {
            int last = chunkCount - 1;
            assertEquals((long) last * CHUNK, t.chunkOffset(last));
            assertEquals(lastLength, t.chunkLength(last));
            assertEquals(regionSize, t.chunkOffset(last) + t.chunkLength(last));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> t.chunkOffset(chunkCount));
    }

    @Test
    void threeGibRegionGeometryIsComputedInLong() {
        long region = 3L << 30;
        DigestTable t = DigestTable.create(HashAlgorithm.CRC32C, region + 100, CHUNK);
        int count = (int) (region / CHUNK) + 1;
        assertEquals(count, t.chunkCount());
        assertEquals(region, t.chunkOffset(count - 1)); // past 2^31: would overflow in int
        assertEquals(100, t.chunkLength(count - 1));
        assertEquals(CHUNK, t.chunkLength(count - 2));
        assertEquals(region - CHUNK, t.chunkOffset(count - 2));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2048, 4095, 4097, 6144, -4096, Integer.MIN_VALUE})
    void rejectsChunkSizesThatAreNotPowersOfTwoFrom4096(int chunkSize) {
        assertThrows(IllegalArgumentException.class, () -> DigestTable.create(HashAlgorithm.CRC32, 1 << 20, chunkSize));
    }

    @Test
    void rejectsNegativeRegionAndTablesTooLargeForOneArray() {
        assertThrows(IllegalArgumentException.class, () -> DigestTable.create(HashAlgorithm.CRC32, -1, CHUNK));
        // 2^40 / 4096 = 2^28 chunks * 32 bytes = 8 GiB of digests
        assertThrows(IllegalArgumentException.class, () -> DigestTable.create(HashAlgorithm.BLAKE3, 1L << 40, CHUNK));
        assertThrows(IllegalArgumentException.class,
                () -> DigestTable.create(HashAlgorithm.CRC32, Long.MAX_VALUE, 1 << 30));
    }

    @Test
    void setGetRoundTrip() {
        DigestTable t = DigestTable.create(HashAlgorithm.XXH3_64, 10 * CHUNK, CHUNK);
        byte[] src = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        t.set(4, src, 2);
        byte[] dst = new byte[11];
        t.get(4, dst, 3);
        assertArrayEquals(new byte[] {0, 0, 0, 2, 3, 4, 5, 6, 7, 8, 9}, dst);
        t.get(3, dst, 0);
        assertArrayEquals(new byte[8], Arrays.copyOf(dst, 8), "neighbour untouched");
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(10, src, 0));
    }

    @Test
    void diffReturnsAscendingIndicesOfChangedChunks() {
        DigestTable a = randomTable(HashAlgorithm.XXH3_128, 1000, 7);
        DigestTable b = a.copy();
        assertArrayEquals(new int[0], a.diff(b));
        int[] changed = {0, 1, 2, 500, 998, 999};
        for (int i : changed) {
            flipByte(b, i, i % 16); // first, middle and last byte positions of a digest
        }
        assertArrayEquals(changed, a.diff(b));
        assertArrayEquals(changed, b.diff(a));
    }

    @Test
    void diffFindsEveryChunkWhenAllDiffer() {
        DigestTable a = randomTable(HashAlgorithm.CRC32, 100, 1);
        DigestTable b = randomTable(HashAlgorithm.CRC32, 100, 2);
        int[] all = new int[100];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, a.diff(b));
    }

    @Test
    void mismatchedTablesAreRejected() {
        DigestTable t = DigestTable.create(HashAlgorithm.XXH3_64, 10 * CHUNK, CHUNK);
        DigestTable otherAlgorithm = DigestTable.create(HashAlgorithm.CRC32, 10 * CHUNK, CHUNK);
        DigestTable otherSize = DigestTable.create(HashAlgorithm.XXH3_64, 10 * CHUNK + 1, CHUNK);
        DigestTable otherChunk = DigestTable.create(HashAlgorithm.XXH3_64, 10 * CHUNK, 2 * CHUNK);
        for (DigestTable other : new DigestTable[] {otherAlgorithm, otherSize, otherChunk}) {
            assertThrows(IllegalArgumentException.class, () -> t.diff(other), other::toString);
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(other), other::toString);
            assertThrows(IllegalArgumentException.class, () -> t.copyDigest(0, other), other::toString);
            assertThrows(IllegalArgumentException.class, () -> t.sameAt(0, other), other::toString);
        }
    }

    @Test
    void sameAtAndCopyDigest() {
        DigestTable a = randomTable(HashAlgorithm.BLAKE3, 5, 3);
        DigestTable b = randomTable(HashAlgorithm.BLAKE3, 5, 4);
        assertFalse(a.sameAt(2, b));
        b.copyDigest(2, a);
        assertTrue(a.sameAt(2, b));
        assertArrayEquals(new int[] {0, 1, 3, 4}, a.diff(b));
    }

    @Test
    void copyIsIndependentAndCopyFromOverwrites() {
        DigestTable a = randomTable(HashAlgorithm.XXH3_64, 50, 5);
        DigestTable copy = a.copy();
        assertEquals(a, copy);
        assertEquals(a.hashCode(), copy.hashCode());
        flipByte(copy, 7, 0);
        assertNotEquals(a, copy);
        copy.copyFrom(a);
        assertEquals(a, copy);
    }

    @Test
    void equalsComparesGeometryToo() {
        assertNotEquals(DigestTable.create(HashAlgorithm.CRC32, 4096, CHUNK),
                DigestTable.create(HashAlgorithm.CRC32, 4095, CHUNK));
        assertNotEquals(DigestTable.create(HashAlgorithm.CRC32, 4096, CHUNK),
                DigestTable.create(HashAlgorithm.CRC32C, 4096, CHUNK));
    }

    @Test
    void rootDigestIsTheAlgorithmOverAllDigestsInOrder() {
        DigestTable t = randomTable(HashAlgorithm.XXH3_128, 9, 6);
        byte[] all = new byte[9 * 16];
        t.readRange(0, 9, all, 0);
        assertArrayEquals(HashAlgorithm.XXH3_128.newHasher().hash(MemorySegment.ofArray(all)), t.rootDigest());
    }

    @Test
    void rootOfEmptyRegionIsTheDigestOfNothing() {
        DigestTable t = DigestTable.create(HashAlgorithm.BLAKE3, 0, CHUNK);
        assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", Hex.of(t.rootDigest()));
    }

    @Test
    void rootDigestChangesWhenAnyDigestChanges() {
        DigestTable t = randomTable(HashAlgorithm.XXH3_64, 64, 8);
        Set<String> roots = new HashSet<>();
        roots.add(Hex.of(t.rootDigest()));
        for (int i = 0; i < t.chunkCount(); i++) {
            DigestTable changed = t.copy();
            flipByte(changed, i, i % 8);
            assertTrue(roots.add(Hex.of(changed.rootDigest())), "root unchanged after changing chunk " + i);
        }
        // Swapping two digests changes the root as well: order is part of it.
        DigestTable swapped = t.copy();
        byte[] d0 = new byte[8];
        byte[] d1 = new byte[8];
        t.get(0, d0, 0);
        t.get(1, d1, 0);
        swapped.set(0, d1, 0);
        swapped.set(1, d0, 0);
        assertNotEquals(Hex.of(t.rootDigest()), Hex.of(swapped.rootDigest()));
    }

    @Test
    void readRangeWriteRangeRoundTrip() {
        DigestTable src = randomTable(HashAlgorithm.CRC32C, 100, 9);
        DigestTable dst = DigestTable.create(HashAlgorithm.CRC32C, src.regionSize(), CHUNK);
        byte[] frame = new byte[5 + 30 * 4];
        // Copy in pieces as DIGESTS frames would, through a buffer with a header in front.
        for (int first = 0; first < 100; first += 30) {
            int count = Math.min(30, 100 - first);
            src.readRange(first, count, frame, 5);
            dst.writeRange(first, count, frame, 5);
        }
        assertEquals(src, dst);
        assertThrows(IndexOutOfBoundsException.class, () -> src.readRange(90, 11, frame, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> src.readRange(-1, 1, frame, 0));
    }

    private static DigestTable randomTable(HashAlgorithm a, int chunks, long seed) {
        DigestTable t = DigestTable.create(a, (long) chunks * CHUNK, CHUNK);
        byte[] bytes = new byte[chunks * a.digestLength()];
        new Random(seed).nextBytes(bytes);
        t.writeRange(0, chunks, bytes, 0);
        return t;
    }

    private static void flipByte(DigestTable t, int index, int byteInDigest) {
        byte[] d = new byte[t.digestLength()];
        t.get(index, d, 0);
        d[byteInDigest % d.length] ^= 0x40;
        t.set(index, d, 0);
    }

    @Test
    void setZerosInBulkIsTheDigestOfZeroBytesPerChunkIncludingAShortLast() {
        long size = 37L * CHUNK + 99;
        DigestTable bulk = DigestTable.create(HashAlgorithm.XXH3_128, size, CHUNK);
        bulk.setZeros(0, bulk.chunkCount());
        DigestTable single = DigestTable.create(HashAlgorithm.XXH3_128, size, CHUNK);
        ChunkHasher hasher = HashAlgorithm.XXH3_128.newHasher();
        for (int i = 0; i < single.chunkCount(); i++) {
            single.set(i, hasher.hash(MemorySegment.ofArray(new byte[single.chunkLength(i)])), 0);
            assertTrue(single.isZeros(i));
        }
        assertEquals(single, bulk);
        DigestTable part = DigestTable.create(HashAlgorithm.XXH3_128, size, CHUNK);
        part.setZeros(3, 20);
        for (int i = 0; i < part.chunkCount(); i++) {
            assertEquals(i >= 3 && i < 20, part.isZeros(i), "chunk " + i);
        }
    }
}
