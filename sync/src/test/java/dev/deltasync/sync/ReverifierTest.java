package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.region.MappedRegion;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background re-hash of a replica over a real mapped file: it finds chunks that someone else changed without
 * the table knowing, corrects exactly those digests, and reports them; an unchanged region reports nothing.
 */
class ReverifierTest {
    private static final int CHUNK = 4096;
    private static final int CHUNKS = 600; // more than one batch of 1 MiB

    @TempDir
    Path dir;

    @Test
    void aPassFindsAndCorrectsExactlyTheChunksWrittenBehindTheTablesBack() throws Exception {
        Path file = randomFile();
        try (MappedRegion region = MappedRegion.openResized(file, (long) CHUNKS * CHUNK)) {
            DigestTable table = scan(region);
            List<Integer> reported = new CopyOnWriteArrayList<>();
            ReentrantLock lock = new ReentrantLock();
            try (Reverifier reverifier = new Reverifier(region, table, lock, n -> {
                assertTrue(lock.isHeldByCurrentThread(), "differences are reported under the table lock");
                reported.add(n);
            })) {
                reverifier.pass();
                assertEquals(List.of(), reported, "an unchanged region has no differences");

                List<Integer> written = List.of(3, 4, 599);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    for (int index : written) {
                        channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), (long) index * CHUNK + 17);
                    }
                }
                DigestTable before = table.copy();
                reverifier.pass();
                assertEquals(written.size(), reported.stream().mapToInt(Integer::intValue).sum(), "reported " + reported);
                assertEquals(scan(region), table, "the table now describes the bytes as they are");
                List<Integer> corrected = new ArrayList<>();
                for (int index : before.diff(table)) {
                    corrected.add(index);
                }
                assertEquals(written, corrected);
            }
        }
    }

    @Test
    void aClosedReverifierNoLongerTouchesTheRegion() throws Exception {
        Path file = randomFile();
        try (MappedRegion region = MappedRegion.openResized(file, (long) CHUNKS * CHUNK)) {
            DigestTable table = scan(region);
            DigestTable stale = table.copy();
            List<Integer> reported = new CopyOnWriteArrayList<>();
            Reverifier reverifier = new Reverifier(region, table, new ReentrantLock(), reported::add);
            reverifier.start(Duration.ofMillis(10));
            reverifier.close();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[] {9}), 0);
            }
            reverifier.pass();
            Thread.sleep(100);
            assertEquals(List.of(), reported);
            assertEquals(stale, table);
            assertNotEquals(scan(region), table);
        }
    }

    private Path randomFile() throws Exception {
        byte[] bytes = new byte[CHUNKS * CHUNK];
        new SplittableRandom(5).nextBytes(bytes);
        return Files.write(dir.resolve("replica.bin"), bytes);
    }

    private static DigestTable scan(MappedRegion region) {
        DigestTable table = DigestTable.create(HashAlgorithm.XXH3_128, region.size(), CHUNK);
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 2)) {
            scanner.scan(region.segment(), table);
        }
        return table;
    }
}
