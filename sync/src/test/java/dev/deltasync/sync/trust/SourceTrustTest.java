package dev.deltasync.sync.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.PageCache;
import dev.deltasync.sync.region.RegionFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceTrustTest {
    private static final int CHUNK = 4096;
    private static final int SIZE = 64 * CHUNK;

    @TempDir
    Path dir;

    /**
     * A record whose stamp still holds but whose table is not the file's bytes (a write that moved no time made it
     * wrong): the stream's first scan takes it, and the next full hash of the stream, which contradicts it at the same
     * stamp, discards it, with or without {@code --verify}.
     */
    @Test
    void aFullHashThatContradictsARecordAtItsStampDiscardsIt() throws Exception {
        Path file = randomFile(5);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(false); // no page dirty: the record may be taken
        }
        Path records = Files.createDirectories(dir.resolve("sources"));
        TrustStamp stamp = TrustStamp.of(file);
        Path record = SourceTrust.recordIn(records, stamp.file());
        assertTrue(TrustFile.writeIfUnchangedAt(record, TrustFile.versionAt(record), new TrustedTable(table(), stamp)));

        SourceTrust trust = new SourceTrust(records, false);
        try (MappedRegion region = RegionFile.forReading(file).map();
             ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 1)) {
            DigestTable first = table();
            assertEquals(0, trust.scan(region, first, () -> {
                scanner.scan(region.segment(), first);
                return SIZE;
            }), "the first scan takes the record");
            DigestTable second = table();
            assertEquals(SIZE, trust.scan(region, second, () -> {
                scanner.scan(region.segment(), second);
                return SIZE;
            }));
        }
        assertTrue(TrustFile.readAt(record, HashAlgorithm.XXH3_128, CHUNK, SIZE).isEmpty(),
                "a record the bytes contradict at its own stamp is still there");
    }

    /**
     * A record whose stamp still holds while a page of the file is dirty: its pass saw none, so a write that moved no
     * time came since. The record is not taken but discarded, and the scan hashes.
     */
    @Test
    void aRecordIsNotTakenWhileAPageOfTheFileIsDirty() throws Exception {
        Path file = randomFile(6);
        Path records = Files.createDirectories(dir.resolve("sources"));
        try (MappedRegion region = RegionFile.forReading(file).map();
             ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 1)) {
            DigestTable right = table();
            scanner.scan(region.segment(), right);
            TrustStamp stamp = TrustStamp.of(file);
            Path record = SourceTrust.recordIn(records, stamp.file());
            assertTrue(TrustFile.writeIfUnchangedAt(record, TrustFile.versionAt(record), new TrustedTable(right, stamp)));
            assumeTrue(PageCache.of(file).map(c -> !c.clean()).orElse(false),
                    "no page of the new file is dirty any more (writeback), or no cachestat here");

            DigestTable into = table();
            assertEquals(SIZE, new SourceTrust(records, false).scan(region, into, () -> {
                scanner.scan(region.segment(), into);
                return SIZE;
            }), "a record taken while a page of its file is dirty");
            assertTrue(TrustFile.readAt(record, HashAlgorithm.XXH3_128, CHUNK, SIZE).isEmpty(), "and kept");
        }
    }

    private Path randomFile(int seed) throws Exception {
        byte[] bytes = new byte[SIZE];
        new SplittableRandom(seed).nextBytes(bytes);
        return Files.write(dir.resolve("source.bin"), bytes);
    }

    private static DigestTable table() {
        return DigestTable.create(HashAlgorithm.XXH3_128, SIZE, CHUNK);
    }
}
