package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a replica records, and how both sides react when the file under a mapping goes wrong. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegionFaultsTest extends LoopbackFixture {
    private static final int CHUNK = 65536;


    private static SyncOptions following() {
        return new SyncOptions(CHUNK, HashAlgorithm.XXH3_128, Compression.ZSTD_DEFAULT, Duration.ofMillis(100), false,
                false, 2);
    }

    /** A listener that opens once the first epoch is verified. */
    private static final class FirstVerified implements SyncListener {
        final CountDownLatch verified = new CountDownLatch(1);

        @Override
        public void epochCompleted(EpochReport epoch) {
            if (epoch.verified()) {
                verified.countDown();
            }
        }
    }

    @Test
    void theReplicaRecordsAVerifiedStateWhoseRootMatchesItsBytes() throws Exception {
        Path source = randomFile("source.bin", 5 * CHUNK + 77, 1);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("vm", replica, false));
        client.run(new SyncJob(Direction.PUSH, source, "vm"), SyncOptions.defaults().once(true), SyncListener.SILENT);

        ReplicaState state = ReplicaState.read(replica).orElseThrow();
        assertEquals(ReplicaState.Phase.VERIFIED, state.phase());
        assertEquals(1, state.epoch());
        assertArrayEquals(state.rootOfFile(replica, 1), state.root());
    }

    @Test
    void aStateFileThatSaysApplyingIsNotVerified() throws Exception {
        Path region = dir.resolve("r.bin");
        ReplicaState.of(ReplicaState.Phase.APPLYING, 7,
                new StreamParameters(HashAlgorithm.CRC32C, CHUNK, 100), new byte[0]).write(region);
        ReplicaState state = ReplicaState.read(region).orElseThrow();
        assertEquals(ReplicaState.Phase.APPLYING, state.phase());
        assertEquals(7, state.epoch());
        assertTrue(ReplicaState.read(dir.resolve("never.bin")).isEmpty());
    }

    @Test
    void aSourceFileThatShrinksEndsThePushWithSizeMismatch() throws Exception {
        Path source = randomFile("source.bin", 8 * CHUNK, 1);
        serve(new ExposedRegion("vm", dir.resolve("replica.bin"), false));
        FirstVerified listener = new FirstVerified();
        CompletableFuture<JobResult> push = CompletableFuture.supplyAsync(() -> runQuietly(
                new SyncJob(Direction.PUSH, source, "vm"), following(), listener));
        assertTrue(listener.verified.await(30, TimeUnit.SECONDS));
        truncate(source, 3 * CHUNK);
        JobResult result = push.get(30, TimeUnit.SECONDS);
        assertNotNull(result.failure(), "the push must fail");
        assertEquals(ErrorCode.SIZE_MISMATCH, result.failure().code(), result.failure().getMessage());
        assertTrue(result.failure().getMessage().contains("changed size"), result.failure().getMessage());
    }

    @Test
    void aReplicaFileTruncatedUnderTheServerResetsOnlyThatStream() throws Exception {
        Path source = randomFile("source.bin", 8 * CHUNK, 1);
        Path replica = dir.resolve("replica.bin");
        Path other = randomFile("other.bin", 2 * CHUNK, 3);
        serve(new ExposedRegion("vm", replica, false), new ExposedRegion("other", dir.resolve("other-replica.bin"), false));
        FirstVerified listener = new FirstVerified();
        CompletableFuture<JobResult> push = CompletableFuture.supplyAsync(() -> runQuietly(
                new SyncJob(Direction.PUSH, source, "vm"), following(), listener));
        assertTrue(listener.verified.await(30, TimeUnit.SECONDS));
        truncate(replica, CHUNK);
        rewrite(source, 6 * CHUNK + 5); // a change past the replica's new end
        JobResult result = push.get(30, TimeUnit.SECONDS);
        assertNotNull(result.failure(), "the push must fail");
        assertEquals(ErrorCode.IO_ERROR, result.failure().code(), result.failure().getMessage());
        ReplicaState state = ReplicaState.read(replica).orElseThrow();
        assertTrue(state.phase() != ReplicaState.Phase.VERIFIED || state.epoch() == 1, state.toString());
        // The server stays healthy for other regions, on the same connection.
        assertTrue(client.run(new SyncJob(Direction.PUSH, other, "other"), SyncOptions.defaults().once(true),
                SyncListener.SILENT).verified());
    }

    @Test
    void aReplicaFileRemovedUnderTheServerIsAClearIoError() throws Exception {
        Path source = randomFile("source.bin", 8 * CHUNK, 1);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("vm", replica, false));
        FirstVerified listener = new FirstVerified();
        CompletableFuture<JobResult> push = CompletableFuture.supplyAsync(() -> runQuietly(
                new SyncJob(Direction.PUSH, source, "vm"), following(), listener));
        assertTrue(listener.verified.await(30, TimeUnit.SECONDS));
        Files.delete(replica);
        rewrite(source, 2 * CHUNK);
        JobResult result = push.get(30, TimeUnit.SECONDS);
        assertNotNull(result.failure(), "the push must fail");
        assertEquals(ErrorCode.IO_ERROR, result.failure().code(), result.failure().getMessage());
        assertTrue(result.failure().getMessage().contains("removed"), result.failure().getMessage());
    }

    private JobResult runQuietly(SyncJob job, SyncOptions options, SyncListener listener) {
        try {
            return new JobResult(job, client.run(job, options, listener), null);
        } catch (SyncException e) {
            return new JobResult(job, null, e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static void rewrite(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), offset);
        }
    }
}
