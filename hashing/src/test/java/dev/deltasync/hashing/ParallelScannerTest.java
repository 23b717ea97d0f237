package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParallelScannerTest {
    private static final int CHUNK = 4096;

    @ParameterizedTest(name = "{0} bytes, {1} threads, {2}")
    @CsvSource({
        "0, 2, XXH3_128", // empty region
        "1000, 3, XXH3_128", // smaller than one chunk
        "4096, 4, CRC32C", // exactly one chunk
        "8388609, 1, XXH3_64", // two batches plus a 1-byte last chunk
        "8388609, 2, BLAKE3",
        "12583000, 3, XXH3_128", // short last chunk, three workers racing for batches
        "12583000, 8, CRC32", // more workers than batches
        "1048576, 5, CRC32C"})
    void equalsASingleThreadedScan(long size, int threads, HashAlgorithm algorithm) {
        MemorySegment region = randomRegion(size, size ^ threads);
        DigestTable expected = sequentialScan(algorithm, region);
        DigestTable actual = DigestTable.create(algorithm, size, CHUNK);
        try (ParallelScanner scanner = new ParallelScanner(algorithm, threads)) {
            scanner.scan(region, actual);
        }
        assertEquals(expected, actual);
    }

    @Test
    void rescanSeesChangedChunks() {
        MemorySegment region = randomRegion(100 * CHUNK + 17, 1);
        DigestTable before = DigestTable.create(HashAlgorithm.XXH3_128, region.byteSize(), CHUNK);
        DigestTable after = before.copy();
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 2)) {
            scanner.scan(region, before);
            flip(region, 42L * CHUNK + 5);
            flip(region, region.byteSize() - 1);
            scanner.scan(region, after);
        }
        assertArrayEquals(new int[] {42, 100}, before.diff(after));
    }

    @Test
    void workersAreNamedDaemonPlatformThreadsStoppedByClose() throws InterruptedException {
        Set<Thread> before = hashWorkers();
        MemorySegment region = Arena.ofAuto().allocate(3L * ParallelScanner.BATCH_BYTES); // 3 batches
        DigestTable table = DigestTable.create(HashAlgorithm.CRC32, region.byteSize(), CHUNK);
        Set<Thread> workers;
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.CRC32, 2)) {
            scanner.scan(region, table);
            workers = hashWorkers();
            workers.removeAll(before);
            assertEquals(2, workers.size(), workers::toString);
            for (Thread t : workers) {
                assertTrue(t.isDaemon(), t + " daemon");
                assertFalse(t.isVirtual(), t + " virtual");
                assertTrue(t.getName().matches("deltasync-hash-\\d+-[12]"), t.getName());
            }
        }
        for (Thread t : workers) {
            t.join(5_000);
            assertFalse(t.isAlive(), t + " still alive after close()");
        }
    }

    private static Set<Thread> hashWorkers() {
        Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
        threads.removeIf(t -> !t.getName().startsWith("deltasync-hash-"));
        return threads;
    }

    @Test
    void workerExceptionPropagates() {
        // A confined segment may only be read by its owner: the workers fail, scan() rethrows their exception.
        try (Arena arena = Arena.ofConfined(); ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_64, 2)) {
            MemorySegment region = arena.allocate(16L * CHUNK);
            DigestTable table = DigestTable.create(HashAlgorithm.XXH3_64, region.byteSize(), CHUNK);
            assertThrows(WrongThreadException.class, () -> scanner.scan(region, table));
        }
    }

    @Test
    void closedRegionFailsInWorkersAndPropagates() {
        Arena arena = Arena.ofShared();
        MemorySegment region = arena.allocate(16L * CHUNK);
        arena.close();
        DigestTable table = DigestTable.create(HashAlgorithm.CRC32C, region.byteSize(), CHUNK);
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.CRC32C, 2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> scanner.scan(region, table));
            assertNotEquals("scanner is closed", e.getMessage());
        }
    }

    @Test
    void rejectsMismatchedInputsAndUseAfterClose() {
        MemorySegment region = randomRegion(2 * CHUNK, 4);
        ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_64, 1);
        assertThrows(IllegalArgumentException.class,
                () -> scanner.scan(region, DigestTable.create(HashAlgorithm.XXH3_64, 2 * CHUNK + 1, CHUNK)));
        assertThrows(IllegalArgumentException.class,
                () -> scanner.scan(region, DigestTable.create(HashAlgorithm.CRC32, 2 * CHUNK, CHUNK)));
        scanner.close();
        assertThrows(IllegalStateException.class,
                () -> scanner.scan(region, DigestTable.create(HashAlgorithm.XXH3_64, 2 * CHUNK, CHUNK)));
        assertThrows(IllegalArgumentException.class, () -> new ParallelScanner(HashAlgorithm.XXH3_64, 0));
    }

    @ParameterizedTest(name = "{0} threads")
    @CsvSource({"1", "3"})
    void knownZerosGetTheZeroDigestAndOnlyDataIsRead(int threads) {
        long size = 40L * CHUNK + 123; // short last chunk
        // data: inside chunk 3 only partly (the rest of it zeros), across chunks 10..12, and the short last chunk
        long[][] runs = {{3L * CHUNK + 100, 3L * CHUNK + 200}, {10L * CHUNK + 4000, 12L * CHUNK + 5},
            {40L * CHUNK + 7, size}};
        MemorySegment region = zerosOutside(randomRegion(size, 9), runs);
        DigestTable actual = DigestTable.create(HashAlgorithm.XXH3_128, size, CHUNK);
        long read;
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, threads)) {
            read = scanner.scan(region, actual, new Runs(runs), done -> { });
        }
        assertEquals(sequentialScan(HashAlgorithm.XXH3_128, region), actual);
        assertEquals(4L * CHUNK + 123, read, "chunks 3, 10, 11, 12 and the last are read, no other");
    }

    @Test
    void whatIsKnownToBeZerosIsNeverRead() {
        // The region holds data everywhere, but the hint says all of it but chunk 5 is zeros: a scan that read those
        // chunks anyway would find non-zero digests.
        MemorySegment region = randomRegion(16L * CHUNK, 4);
        DigestTable table = DigestTable.create(HashAlgorithm.XXH3_64, region.byteSize(), CHUNK);
        long read;
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_64, 2)) {
            read = scanner.scan(region, table, new Runs(new long[][] {{5L * CHUNK, 5L * CHUNK + 1}}), done -> { });
        }
        assertEquals(CHUNK, read);
        for (int i = 0; i < table.chunkCount(); i++) {
            assertEquals(i != 5, table.isZeros(i), "chunk " + i);
        }
    }

    @Test
    void aWholeHoleIsFilledWithoutAWorkerAndProgressCoversIt() {
        MemorySegment region = Arena.ofAuto().allocate(64L * CHUNK);
        DigestTable table = DigestTable.create(HashAlgorithm.CRC32C, region.byteSize(), CHUNK);
        long[] progress = {0};
        long read;
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.CRC32C, 2)) {
            read = scanner.scan(region, table, new Runs(new long[0][]), done -> progress[0] = done);
        }
        assertEquals(0, read);
        assertEquals(region.byteSize(), progress[0]);
        assertEquals(sequentialScan(HashAlgorithm.CRC32C, region), table);
    }

    /** Data runs {start, end}, ascending; zeros everywhere else. */
    record Runs(long[][] runs) implements KnownZeros {
        @Override
        public long nextData(long from) {
            for (long[] run : runs) {
                if (run[1] > from) {
                    return Math.max(from, run[0]);
                }
            }
            return Long.MAX_VALUE;
        }

        @Override
        public long dataEnd(long from) {
            for (long[] run : runs) {
                if (run[1] > from) {
                    return run[1];
                }
            }
            return Long.MAX_VALUE;
        }
    }

    private static MemorySegment zerosOutside(MemorySegment region, long[][] runs) {
        long at = 0;
        for (long[] run : runs) {
            region.asSlice(at, run[0] - at).fill((byte) 0);
            at = run[1];
        }
        region.asSlice(at).fill((byte) 0);
        return region;
    }

    private static void flip(MemorySegment region, long offset) {
        region.set(ValueLayout.JAVA_BYTE, offset, (byte) ~region.get(ValueLayout.JAVA_BYTE, offset));
    }

    static MemorySegment randomRegion(long size, long seed) {
        byte[] bytes = new byte[(int) size];
        new Random(seed).nextBytes(bytes);
        MemorySegment region = Arena.ofAuto().allocate(Math.max(1, size)).asSlice(0, size);
        MemorySegment.copy(bytes, 0, region, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return region;
    }

    private static DigestTable sequentialScan(HashAlgorithm algorithm, MemorySegment region) {
        DigestTable t = DigestTable.create(algorithm, region.byteSize(), CHUNK);
        ChunkHasher h = algorithm.newHasher();
        byte[] digest = new byte[algorithm.digestLength()];
        for (int i = 0; i < t.chunkCount(); i++) {
            h.hash(region.asSlice(t.chunkOffset(i), t.chunkLength(i)), digest, 0);
            t.set(i, digest, 0);
        }
        return t;
    }
}
