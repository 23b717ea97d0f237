package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.mux.MuxConfig;
import dev.deltasync.protocol.Constants;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import dev.deltasync.sync.region.FileIdentity;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Epochs numbered per region lineage (PROTOCOL.md §9.6): a reconnect continues the numbers, the replica's state
 * names the lineage, the source time of the last verified epoch gives the lag, and a v1 peer is served as v1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LineageTest extends LoopbackFixture {
    private static final SyncOptions ONCE = SyncOptions.defaults().once(true);
    private final List<EpochReport> reports = new CopyOnWriteArrayList<>();
    private final SyncListener recorder = new SyncListener() {
        @Override
        public void epochCompleted(EpochReport epoch) {
            reports.add(epoch);
        }
    };

    @Test
    void aVerifiedEpochCarriesTheSourcesScanTimeAndTheLagSinceThen() throws Exception {
        Path source = randomFile("source.bin", 5 * 4096 + 11, 1);
        Path replica = randomFile("replica.bin", 5 * 4096 + 11, 2);
        serve(new ExposedRegion("vm", replica, false));
        Instant before = Instant.now();
        client.run(new SyncJob(Direction.PUSH, source, "vm"), ONCE, recorder);
        Instant after = Instant.now();

        EpochReport epoch = reports.getLast();
        assertEquals(SyncListener.Side.SOURCE, epoch.side());
        assertTrue(epoch.verified());
        assertEquals(epoch.epoch(), epoch.verifiedEpoch());
        Instant scanned = epoch.verifiedSourceTime().orElseThrow();
        assertFalse(scanned.isBefore(before.minusMillis(1)), scanned + " is before the push started at " + before);
        assertFalse(scanned.isAfter(after), scanned + " is after the push ended at " + after);
        Duration lag = epoch.lagAt(after).orElseThrow();
        assertFalse(lag.isNegative(), "lag " + lag);
        assertTrue(lag.compareTo(Duration.between(before, after).plusMillis(1)) <= 0, "lag " + lag);
    }

    @Test
    void pullsOfOneReplicaContinueItsLineageAndTheReplicaKnowsTheSourceTime() throws Exception {
        Path source = randomFile("source.bin", 9 * 4096 + 5, 3);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("vm", source, true));
        Instant before = Instant.now();
        for (int i = 0; i < 3; i++) {
            client.run(new SyncJob(Direction.PULL, replica, "vm"), ONCE, recorder);
        }
        List<Long> epochs = reports.stream().map(EpochReport::epoch).toList();
        assertEquals(List.of(1L, 2L, 3L), epochs, "three pulls of one replica: epochs go on rising");
        Lineage lineage = reports.getFirst().lineage().orElseThrow();
        assertTrue(reports.stream().allMatch(r -> r.lineage().equals(Optional.of(lineage))), reports.toString());
        EpochReport last = reports.getLast();
        assertEquals(SyncListener.Side.REPLICA, last.side());
        assertFalse(last.verifiedSourceTime().orElseThrow().isBefore(before.minusMillis(1)));

        ReplicaState state = ReplicaState.read(replica).orElseThrow();
        assertEquals(Optional.of(lineage), state.lineage());
        assertEquals(3, state.epoch());
        assertEquals(3, state.verifiedEpoch());
        assertEquals(last.verifiedSourceTime(), state.sourceTime());
    }

    @Test
    void aReplicaFileReplacedByAnotherStartsANewLineage() throws Exception {
        Path source = randomFile("source.bin", 9 * 4096 + 5, 6);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("vm", source, true));
        client.run(new SyncJob(Direction.PULL, replica, "vm"), ONCE, recorder);
        client.run(new SyncJob(Direction.PULL, replica, "vm"), ONCE, recorder);
        Lineage first = ReplicaState.read(replica).orElseThrow().lineage().orElseThrow();
        Path restored = Files.copy(replica, dir.resolve("restored.bin")); // e.g. a backup put back: the same bytes
        Files.move(restored, replica, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        client.run(new SyncJob(Direction.PULL, replica, "vm"), ONCE, recorder);

        assertEquals(List.of(1L, 2L, 1L), reports.stream().map(EpochReport::epoch).toList(),
                "the state beside the file describes the file it replaced: its epochs are not this file's");
        Lineage second = reports.getLast().lineage().orElseThrow();
        assertNotEquals(first, second);
        ReplicaState state = ReplicaState.read(replica).orElseThrow();
        assertEquals(Optional.of(second), state.lineage());
        assertEquals(Optional.of(FileIdentity.of(replica)), state.file());
    }

    @Test
    void pushesIntoOneReplicaContinueTheReplicasLineage() throws Exception {
        Path source = randomFile("source.bin", 4 * 4096, 4);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("vm", replica, false));
        client.run(new SyncJob(Direction.PUSH, source, "vm"), ONCE, recorder);
        Lineage lineage = ReplicaState.read(replica).orElseThrow().lineage().orElseThrow();
        byte[] bytes = Files.readAllBytes(source);
        bytes[4097] ^= 1;
        Files.write(source, bytes);
        client.run(new SyncJob(Direction.PUSH, source, "vm"), ONCE, recorder);

        assertEquals(List.of(1L, 2L), reports.stream().map(EpochReport::epoch).toList());
        ReplicaState state = ReplicaState.read(replica).orElseThrow();
        assertEquals(Optional.of(lineage), state.lineage(), "the replica's lineage goes on");
        assertEquals(2, state.verifiedEpoch());
        assertEquals(Optional.of(lineage), reports.getLast().lineage(), "the source numbers in the replica's lineage");
    }

    @Test
    void aContinuousPullAcrossAServerRestartKeepsItsLineageAndItsEpochsRising() throws Exception {
        Path source = randomFile("source.bin", 16 * 4096, 5);
        Path replica = dir.resolve("replica.bin");
        List<ExposedRegion> regions = List.of(new ExposedRegion("vm", source, true));
        ServerOptions fast = new ServerOptions(Duration.ofMillis(50), Compression.ZSTD_DEFAULT, 1, Security.insecure());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        SyncOptions follow = new SyncOptions(Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE, HashAlgorithm.XXH3_128,
                Compression.ZSTD_DEFAULT, Duration.ofMillis(50), false, false, 1);
        Follower follower = new Follower("127.0.0.1", port, Security.insecure(), follow, recorder,
                Duration.ofMillis(50), Duration.ofMillis(200));
        CompletableFuture<List<JobResult>> running;
        long beforeRestart;
        Lineage lineage;
        try (SyncServer first = SyncServer.start("127.0.0.1", port, regions, fast, SyncListener.SILENT)) {
            running = CompletableFuture.supplyAsync(() -> {
                try {
                    return follower.run(List.of(new SyncJob(Direction.PULL, replica, "vm")));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            SyncEngineTest.waitUntil(() -> reports.stream().anyMatch(EpochReport::verified));
            lineage = ReplicaState.read(replica).orElseThrow().lineage().orElseThrow();
            beforeRestart = reports.getLast().epoch();
        }
        int seen = reports.size();
        try (SyncServer second = SyncServer.start("127.0.0.1", port, regions, fast, SyncListener.SILENT)) {
            SyncEngineTest.waitUntil(() -> reports.size() > seen && reports.getLast().verified());
        } finally {
            follower.stop();
        }
        running.get(30, TimeUnit.SECONDS);

        List<Long> epochs = reports.stream().map(EpochReport::epoch).toList();
        for (int i = 1; i < epochs.size(); i++) {
            assertTrue(epochs.get(i) > epochs.get(i - 1), "epochs must keep rising: " + epochs);
        }
        assertTrue(reports.getLast().epoch() > beforeRestart, epochs.toString());
        assertEquals(Optional.of(lineage), ReplicaState.read(replica).orElseThrow().lineage());
        assertTrue(reports.stream().allMatch(r -> r.lineage().equals(Optional.of(lineage))), reports.toString());
    }

    @Test
    void aClientThatSpeaksOnlyVersionOneIsServedAsVersionOne() throws Exception {
        assertVersionOne(Security.insecure(), Security.tuned(MuxConfig.defaults().withMaxVersion(1)));
    }

    @Test
    void aServerThatSpeaksOnlyVersionOneIsUsedAsVersionOne() throws Exception {
        assertVersionOne(Security.tuned(MuxConfig.defaults().withMaxVersion(1)), Security.insecure());
    }

    /** Twice each way: v1 numbers epochs from 1 on every stream, and no lineage is recorded. */
    private void assertVersionOne(Security serverMux, Security clientMux) throws Exception {
        Path source = randomFile("source.bin", 6 * 4096, 6);
        Path pulled = dir.resolve("pulled.bin");
        Path pushed = dir.resolve("pushed.bin");
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("src", source, true),
                new ExposedRegion("dst", pushed, false)), new ServerOptions(Duration.ofSeconds(1),
                Compression.ZSTD_DEFAULT, 2, serverMux), SyncListener.SILENT);
        client = SyncClient.connect("127.0.0.1", server.port(), clientMux);
        for (int i = 0; i < 2; i++) {
            assertTrue(client.run(new SyncJob(Direction.PULL, pulled, "src"), ONCE, recorder).verified());
            assertTrue(client.run(new SyncJob(Direction.PUSH, source, "dst"), ONCE, recorder).verified());
        }
        assertEquals(List.of(1L, 1L, 1L, 1L), reports.stream().map(EpochReport::epoch).toList());
        assertTrue(reports.stream().allMatch(r -> r.lineage().isEmpty() && r.verified()), reports.toString());
        assertEquals(-1, Files.mismatch(source, pulled));
        assertEquals(-1, Files.mismatch(source, pushed));
        for (Path replica : List.of(pulled, pushed)) {
            ReplicaState state = ReplicaState.read(replica).orElseThrow();
            assertTrue(state.lineage().isEmpty() && state.sourceTime().isEmpty(), state.toString());
            assertEquals(1, state.verifiedEpoch());
        }
    }
}
