package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine over real files and a real loopback connection, in one JVM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncEngineTest extends LoopbackFixture {

    private static SyncOptions once() {
        return SyncOptions.defaults().once(true);
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void pushOnceMakesTheServersFileIdentical(HashAlgorithm hash) throws Exception {
        Path source = randomFile("source.bin", 3 * 65536 + 1234, 1);
        Path replica = randomFile("replica.bin", 3 * 65536 + 1234, 2);
        serve(new ExposedRegion("vm", replica, false));
        SyncOptions options = new SyncOptions(65536, hash, Compression.ZSTD_DEFAULT, Duration.ofMillis(100), true,
                false, 2);
        SyncOutcome outcome = client.run(new SyncJob(Direction.PUSH, source, "vm"), options, SyncListener.SILENT);
        assertTrue(outcome.verified());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
        assertEquals(4, outcome.stats().chunksChanged());
    }

    @Test
    void onlyChangedChunksTravel() throws Exception {
        Path source = randomFile("source.bin", 64 * 65536, 1);
        Path replica = dir.resolve("replica.bin");
        Files.copy(source, replica);
        byte[] bytes = Files.readAllBytes(source);
        bytes[5 * 65536 + 7] ^= 1;
        bytes[40 * 65536] ^= 1;
        Files.write(source, bytes);
        serve(new ExposedRegion("vm", replica, false));
        SyncOutcome outcome = client.run(new SyncJob(Direction.PUSH, source, "vm"), once(), SyncListener.SILENT);
        assertEquals(2, outcome.stats().chunksChanged());
        assertTrue(outcome.stats().wireBytesSent() < 3 * 65536, "sent " + outcome.stats().wireBytesSent());
        assertArrayEquals(bytes, Files.readAllBytes(replica));
    }

    @Test
    void pullOnceCreatesAMissingFile() throws Exception {
        Path source = randomFile("source.bin", 1_000_000, 3);
        Path local = dir.resolve("sub-missing.bin");
        serve(new ExposedRegion("db", source, true));
        SyncOutcome outcome = client.run(new SyncJob(Direction.PULL, local, "db"), once(), SyncListener.SILENT);
        assertTrue(outcome.verified());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(local));
    }

    @Test
    void compressibleChunksTravelCompressed() throws Exception {
        byte[] text = "deltasync keeps memory regions in step. ".repeat(50_000).getBytes();
        Path source = Files.write(dir.resolve("text.bin"), text);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("text", replica, false));
        SyncOutcome outcome = client.run(new SyncJob(Direction.PUSH, source, "text"), once(), SyncListener.SILENT);
        assertTrue(outcome.stats().compressionRatio() > 10, "ratio " + outcome.stats().compressionRatio());
        assertTrue(outcome.stats().wireBytesSent() < text.length / 10);
        assertArrayEquals(text, Files.readAllBytes(replica));
    }

    @Test
    void aReadOnlyRegionRefusesPushes() throws Exception {
        Path source = randomFile("source.bin", 65536, 1);
        Path replica = randomFile("replica.bin", 65536, 2);
        byte[] before = Files.readAllBytes(replica);
        serve(new ExposedRegion("ro", replica, true));
        SyncException e = assertThrows(SyncException.class,
                () -> client.run(new SyncJob(Direction.PUSH, source, "ro"), once(), SyncListener.SILENT));
        assertEquals(ErrorCode.READ_ONLY, e.code());
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(replica));
    }

    @Test
    void anUnknownRegionIsRefusedAndTheConnectionStaysUsable() throws Exception {
        Path source = randomFile("source.bin", 65536, 1);
        serve(new ExposedRegion("vm", dir.resolve("replica.bin"), false));
        SyncException e = assertThrows(SyncException.class,
                () -> client.run(new SyncJob(Direction.PULL, dir.resolve("x.bin"), "nope"), once(), SyncListener.SILENT));
        assertEquals(ErrorCode.UNKNOWN_REGION, e.code());
        assertFalse(Files.exists(dir.resolve("x.bin")), "a refused pull must not create the local file");
        assertTrue(client.run(new SyncJob(Direction.PUSH, source, "vm"), once(), SyncListener.SILENT).verified());
    }

    @Test
    void aSizeMismatchIsRefusedUnlessResizeIsAllowed() throws Exception {
        Path source = randomFile("source.bin", 3 * 65536, 1);
        Path replica = randomFile("replica.bin", 2 * 65536, 2);
        serve(new ExposedRegion("vm", replica, false));
        SyncException e = assertThrows(SyncException.class,
                () -> client.run(new SyncJob(Direction.PUSH, source, "vm"), once(), SyncListener.SILENT));
        assertEquals(ErrorCode.SIZE_MISMATCH, e.code());
        assertEquals(2 * 65536, Files.size(replica));

        SyncOptions resize = new SyncOptions(65536, HashAlgorithm.XXH3_128, Compression.ZSTD_DEFAULT,
                Duration.ofSeconds(1), true, true, 2);
        assertTrue(client.run(new SyncJob(Direction.PUSH, source, "vm"), resize, SyncListener.SILENT).verified());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
    }

    @Test
    void aPullIntoAFileOfAnotherSizeIsRefusedUnlessResizeIsAllowed() throws Exception {
        Path source = randomFile("source.bin", 3 * 65536, 1);
        Path local = randomFile("local.bin", 65536, 2);
        serve(new ExposedRegion("vm", source, true));
        SyncException e = assertThrows(SyncException.class,
                () -> client.run(new SyncJob(Direction.PULL, local, "vm"), once(), SyncListener.SILENT));
        assertEquals(ErrorCode.SIZE_MISMATCH, e.code());
        assertTrue(e.getMessage().contains("--resize"), e.getMessage());
        assertEquals(65536, Files.size(local));
    }

    @Test
    void threeRegionsShareOneConnection() throws Exception {
        List<ExposedRegion> regions = new ArrayList<>();
        List<SyncJob> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path source = randomFile("source-" + i + ".bin", 500_000 + i, 10 + i);
            regions.add(new ExposedRegion("r" + i, dir.resolve("replica-" + i + ".bin"), false));
            jobs.add(new SyncJob(Direction.PUSH, source, "r" + i));
        }
        serve(regions.toArray(ExposedRegion[]::new));
        List<JobResult> results = client.runAll(jobs, once(), SyncListener.SILENT);
        for (int i = 0; i < 3; i++) {
            assertTrue(results.get(i).verified(), String.valueOf(results.get(i).failure()));
            assertNull(results.get(i).failure());
            assertArrayEquals(Files.readAllBytes(dir.resolve("source-" + i + ".bin")),
                    Files.readAllBytes(dir.resolve("replica-" + i + ".bin")));
        }
    }

    @Test
    void twoPushersIntoOneRegionAreNotAllowedAtOnce() throws Exception {
        Path source = randomFile("source.bin", 65536, 1);
        serve(new ExposedRegion("vm", dir.resolve("replica.bin"), false));
        SyncOptions continuous = SyncOptions.defaults();
        Thread first = Thread.ofVirtual().start(() -> {
            try {
                client.run(new SyncJob(Direction.PUSH, source, "vm"), continuous, SyncListener.SILENT);
            } catch (Exception e) {
                // ended by tearDown
            }
        });
        waitUntil(() -> Files.exists(dir.resolve("replica.bin"))
                && Files.mismatch(source, dir.resolve("replica.bin")) == -1);
        SyncException e = assertThrows(SyncException.class,
                () -> client.run(new SyncJob(Direction.PUSH, source, "vm"), once(), SyncListener.SILENT));
        assertEquals(ErrorCode.REFUSED_STREAM, e.code());
        first.interrupt();
    }

    static void waitUntil(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 60 s");
            }
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }
}
