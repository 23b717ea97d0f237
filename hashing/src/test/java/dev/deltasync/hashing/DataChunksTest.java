package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a scan reads when lseek misbehaves: never a loop, never a chunk wrongly taken for zeros. */
class DataChunksTest {
    private static final int CHUNK = 4096;
    private static final int CHUNKS = 64;

    private static DataChunks find(KnownZeros zeros) {
        DigestTable table = DigestTable.create(HashAlgorithm.XXH3_128, (long) CHUNKS * CHUNK, CHUNK);
        return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> DataChunks.find(table, zeros));
    }

    @Test
    void aNextDataBeforeTheOffsetAskedIsTakenAsDataThere() {
        // always "data at 0, ending at the next chunk": a loop without the clamp asked about offset CHUNK for ever
        DataChunks chunks = find(new KnownZeros() {
            @Override
            public long nextData(long from) {
                return 0;
            }

            @Override
            public long dataEnd(long from) {
                return from + CHUNK;
            }
        });
        assertEquals(CHUNKS, chunks.count());
    }

    @Test
    void aDataEndAtOrBeforeItsStartIsDataToTheEnd() {
        DataChunks chunks = find(new KnownZeros() {
            @Override
            public long nextData(long from) {
                return Math.max(from, 10L * CHUNK);
            }

            @Override
            public long dataEnd(long from) {
                return from - 1;
            }
        });
        assertEquals(CHUNKS - 10, chunks.count(), "the first 10 chunks are holes, the rest data");
    }

    @Test
    void batchesHandOutEachDataChunkOnceAsRunsBetweenHoles() {
        // data in chunks [3, 9) and [12, 40), holes elsewhere; batches of 8 split the runs at batch ends too
        DigestTable table = DigestTable.create(HashAlgorithm.XXH3_128, (long) CHUNKS * CHUNK, CHUNK);
        DataChunks chunks = DataChunks.find(table, new KnownZeros() {
            @Override
            public long nextData(long from) {
                return from < 3L * CHUNK ? 3L * CHUNK : from < 9L * CHUNK ? from : from < 12L * CHUNK ? 12L * CHUNK
                        : from < 40L * CHUNK ? from : (long) CHUNKS * CHUNK;
            }

            @Override
            public long dataEnd(long from) {
                return from < 9L * CHUNK ? 9L * CHUNK : 40L * CHUNK;
            }
        });
        DataChunks.Batches batches = chunks.batches(8);
        int[] seen = new int[CHUNKS];
        java.util.List<String> runs = new java.util.ArrayList<>();
        long total = 0;
        long bytes;
        while ((bytes = batches.next((first, end) -> {
            runs.add(first + ".." + end);
            for (int i = first; i < end; i++) {
                seen[i]++;
            }
        })) > 0) {
            total += bytes;
        }
        for (int i = 0; i < CHUNKS; i++) {
            assertEquals(i >= 3 && i < 9 || i >= 12 && i < 40 ? 1 : 0, seen[i], "chunk " + i + " handed out");
        }
        assertEquals(34L * CHUNK, total, "bytes covered");
        assertEquals(java.util.List.of("3..9", "12..20", "20..28", "28..36", "36..40"), runs, "batches of 8 from the first data chunk");
    }
}
