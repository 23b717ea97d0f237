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
}
