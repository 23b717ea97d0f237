package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's shared source regions over a real sparse 512 MiB file: concurrent streams share one scan, a stream
 * that would add a scan to a full line is refused while one that can join the scan under way is not, and the
 * tables of the shared scans are charged to the budget and given back by the last user.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedSourcesTest {
    private static final long SIZE = 512L << 20;
    private static final StreamParameters XXH3 = new StreamParameters(HashAlgorithm.XXH3_128, 4096, SIZE);
    private static final StreamParameters BLAKE3 = new StreamParameters(HashAlgorithm.BLAKE3, 65536, SIZE);

    @TempDir
    Path dir;

    @Test
    void aFullScanLineRefusesNewScansButNotAStreamJoiningTheScanUnderWay() throws Exception {
        ExposedRegion region = sparseRegion();
        Admission admission = new Admission(new StreamLimits(16, 1, 1L << 30, 1L << 30));
        try (SharedSources sources = new SharedSources(1, admission, Duration.ofMinutes(1))) {
            RegionScans first = sources.acquire(region, BLAKE3);
            // The scan reports its progress into a latch, so it is surely still under way while the test looks
            // (the file's holes are not read, so it would otherwise be over in a moment).
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<DigestTable> scanning = CompletableFuture.supplyAsync(() -> scan(first, release));
            SyncEngineTest.waitUntil(() -> sources.pendingScans() == 1);

            Admission.Refused refused = assertThrows(Admission.Refused.class, () -> sources.acquire(region, XXH3));
            assertTrue(refused.getMessage().contains("region scans waiting"), refused.getMessage());
            assertTrue(first.scanning());
            RegionScans joining = sources.acquire(region, BLAKE3);
            assertSame(first, joining, "same region, same parameters: the same scans");

            release.countDown();
            DigestTable table = scanning.get(50, TimeUnit.SECONDS);
            assertSame(table, joining.recent(new SyncStats(), bytes -> { }).table(), "a scan younger than the interval is handed out again");
            sources.release(region, BLAKE3);
            sources.release(region, BLAKE3);
        }
    }

    @Test
    void sharedScansAreChargedAndTheLastUserGivesThemBack() throws Exception {
        ExposedRegion region = sparseRegion();
        long tables = 2 * XXH3.tableBytes();
        Admission admission = new Admission(new StreamLimits(16, 4, tables + 1, tables + 1));
        try (SharedSources sources = new SharedSources(1, admission, Duration.ofSeconds(1))) {
            sources.acquire(region, XXH3);
            sources.acquire(region, XXH3); // shares: charged once
            Admission.Refused refused = assertThrows(Admission.Refused.class,
                    () -> admission.admit("a connection", 2));
            assertTrue(refused.getMessage().contains("budget"), refused.getMessage());
            sources.release(region, XXH3);
            assertThrows(Admission.Refused.class, () -> admission.admit("a connection", 2));
            sources.release(region, XXH3);
            try (Admission.Ticket ticket = admission.admit("a connection", tables)) {
                assertEquals(16, admission.limits().maxStreams());
            }
        }
    }

    private ExposedRegion sparseRegion() throws Exception {
        Path file = dir.resolve("region.bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SIZE);
            raf.write(new byte[] {1, 2, 3});
        }
        return new ExposedRegion("r", file, true);
    }

    private static DigestTable scan(RegionScans scans, CountDownLatch release) {
        try {
            return scans.fresh(new SyncStats(), bytes -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).table();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
