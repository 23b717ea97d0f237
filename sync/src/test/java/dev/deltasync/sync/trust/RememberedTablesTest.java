package dev.deltasync.sync.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.LineagePosition;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A source's memory of its replicas' tables is recalled only intact, for the same replica and geometry. */
class RememberedTablesTest {
    private static final HashAlgorithm HASH = HashAlgorithm.XXH3_128;
    private static final int CHUNK = 4096;
    private static final long SIZE = 50 * CHUNK + 1;
    private static final LineagePosition AT = new LineagePosition(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            13, 14, 15, 16}, 42);

    @TempDir
    Path dir;

    @Test
    void recallsWhatWasRememberedForThatReplicaOnly() throws Exception {
        RememberedTables tables = new RememberedTables(dir);
        DigestTable table = table(1);
        tables.remember("h:1/vm", AT, table);
        RememberedTables.Remembered recalled = tables.recall("h:1/vm", HASH, CHUNK, SIZE).orElseThrow();
        assertEquals(AT, recalled.position());
        assertEquals(table, recalled.table());
        assertArrayEquals(table.rootDigest(), recalled.root());
        assertFalse(tables.recall("h:2/vm", HASH, CHUNK, SIZE).isPresent());
        assertFalse(tables.recall("h:1/vm", HASH, 2 * CHUNK, SIZE).isPresent());
        tables.forget("h:1/vm");
        assertFalse(tables.recall("h:1/vm", HASH, CHUNK, SIZE).isPresent());
    }

    @Test
    void aDamagedRecordIsNotRecalled() throws Exception {
        RememberedTables tables = new RememberedTables(dir);
        tables.remember("h:1/vm", AT, table(2));
        Path record = onlyRecord();
        byte[] good = Files.readAllBytes(record);
        for (int at = 0; at < good.length; at += 61) {
            byte[] bad = good.clone();
            bad[at] ^= 4;
            Files.write(record, bad);
            assertFalse(tables.recall("h:1/vm", HASH, CHUNK, SIZE).isPresent(), "damage at " + at);
        }
        // a digest changed and the final hash made to fit: the root recomputed from the table no longer fits
        byte[] bad = good.clone();
        int check = bad.length - HASH.digestLength();
        bad[check - 1] ^= 1;
        byte[] fixed = new byte[HASH.digestLength()];
        HASH.newHasher().hash(MemorySegment.ofArray(bad).asSlice(0, check), fixed, 0);
        System.arraycopy(fixed, 0, bad, check, fixed.length);
        Files.write(record, bad);
        assertFalse(tables.recall("h:1/vm", HASH, CHUNK, SIZE).isPresent());
    }

    @Test
    void keepsAtMostKeepRecords() throws Exception {
        RememberedTables tables = new RememberedTables(dir);
        for (int i = 0; i < RememberedTables.KEEP + 5; i++) {
            tables.remember("h:" + i + "/vm", AT, table(i));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(RememberedTables.KEEP, files.count());
        }
    }

    private Path onlyRecord() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size());
            return all.getFirst();
        }
    }

    private static DigestTable table(long seed) {
        DigestTable table = DigestTable.create(HASH, SIZE, CHUNK);
        byte[] digests = new byte[table.chunkCount() * table.digestLength()];
        new SplittableRandom(seed).nextBytes(digests);
        table.writeRange(0, table.chunkCount(), digests, 0);
        assertTrue(table.chunkCount() > 1);
        return table;
    }
}
