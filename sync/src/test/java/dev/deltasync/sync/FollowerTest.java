package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.peer.Identity;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.region.RegionFileException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Continuous push outliving a server restart, and giving up on refusals. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FollowerTest {
    @TempDir
    Path dir;

    private static final SyncOptions FOLLOW = new SyncOptions(65536, HashAlgorithm.XXH3_128,
            Compression.ZSTD_DEFAULT, Duration.ofMillis(100), false, false, 2);

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static final class Log implements SyncListener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<ConnectionEvent> connections = new CopyOnWriteArrayList<>();

        @Override
        public void info(String message) {
            lines.add(message);
        }

        @Override
        public void connection(ConnectionEvent event) {
            connections.add(event);
        }

        boolean saw(Class<? extends ConnectionEvent> kind) {
            return connections.stream().anyMatch(kind::isInstance);
        }
    }

    private static CompletableFuture<List<JobResult>> runInBackground(Follower follower, SyncJob job) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return follower.run(List.of(job));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aContinuousPushReconnectsAfterTheServerRestartsAndConvergesAgain() throws Exception {
        byte[] bytes = new byte[10 * 65536];
        new SplittableRandom(5).nextBytes(bytes);
        Path source = Files.write(dir.resolve("source.bin"), bytes);
        Path replica = dir.resolve("replica.bin");
        List<ExposedRegion> regions = List.of(new ExposedRegion("vm", replica, false));
        int port = freePort();
        Log log = new Log();
        Follower follower = new Follower("127.0.0.1", port, Security.insecure(), FOLLOW, log,
                Duration.ofMillis(100), Duration.ofMillis(400));
        try (SyncServer first = SyncServer.start("127.0.0.1", port, regions, ServerOptions.defaults(), SyncListener.SILENT)) {
            CompletableFuture<List<JobResult>> running = runInBackground(follower, new SyncJob(Direction.PUSH, source, "vm"));
            SyncEngineTest.waitUntil(() -> Files.exists(replica) && Files.mismatch(source, replica) == -1);
            first.close();
            bytes[3 * 65536] ^= 0x55; // changed while the server is down
            Files.write(source, bytes);
            SyncEngineTest.waitUntil(() -> log.saw(ConnectionEvent.Reconnecting.class));
            try (SyncServer second = SyncServer.start("127.0.0.1", port, regions, ServerOptions.defaults(),
                    SyncListener.SILENT)) {
                SyncEngineTest.waitUntil(() -> Files.mismatch(source, replica) == -1);
                follower.stop();
                List<JobResult> results = running.get(30, TimeUnit.SECONDS);
                assertEquals(1, results.size());
            }
        }
        assertConnectedLostAndReconnected(log.connections, "127.0.0.1:" + port);
    }

    /**
     * Connected (first), Disconnected, one or more Reconnecting, Connected (a reconnect, after an outage), and
     * a Disconnected by this side at the stop: in that order, each naming the server as dialled.
     */
    private static void assertConnectedLostAndReconnected(List<ConnectionEvent> events, String address) {
        String all = events.stream().map(Object::toString).collect(java.util.stream.Collectors.joining("\n"));
        assertTrue(events.getFirst() instanceof ConnectionEvent.Connected first && !first.reconnect()
                && first.outage().isZero() && first.peer().address().equals(address)
                && first.peer().fingerprint().isEmpty(), all);
        assertTrue(events.get(1) instanceof ConnectionEvent.Disconnected lost && !lost.reason().isBlank(), all);
        int reconnected = events.size() - 2;
        assertTrue(events.get(reconnected) instanceof ConnectionEvent.Connected again && again.reconnect()
                && again.outage().toMillis() >= 100, all); // at least the first back-off
        for (ConnectionEvent retry : events.subList(2, reconnected)) {
            assertTrue(retry instanceof ConnectionEvent.Reconnecting r && r.address().equals(address), all);
        }
        assertTrue(reconnected > 2, "at least one Reconnecting\n" + all);
        assertTrue(events.getLast() instanceof ConnectionEvent.Disconnected stop && stop.code() == ErrorCode.NO_ERROR,
                all);
    }

    @Test
    void aFollowingPullHoldsItsReplicaLockedWhileTheServerIsAway() throws Exception {
        byte[] bytes = new byte[8 * 65536];
        new SplittableRandom(6).nextBytes(bytes);
        Path served = Files.write(dir.resolve("served.bin"), bytes);
        Path replica = dir.resolve("replica.bin");
        List<ExposedRegion> regions = List.of(new ExposedRegion("s", served, true));
        int port = freePort();
        Log log = new Log();
        Follower follower = new Follower("127.0.0.1", port, Security.insecure(), FOLLOW, log,
                Duration.ofMillis(100), Duration.ofMillis(400));
        CompletableFuture<List<JobResult>> running;
        try (SyncServer server = SyncServer.start("127.0.0.1", port, regions, ServerOptions.defaults(),
                SyncListener.SILENT)) {
            running = runInBackground(follower, new SyncJob(Direction.PULL, replica, "s"));
            SyncEngineTest.waitUntil(() -> Files.exists(replica) && Files.mismatch(served, replica) == -1);
        }
        try {
            SyncEngineTest.waitUntil(() -> log.saw(ConnectionEvent.Reconnecting.class));
            // Between sessions no other stream may take the file: it is still this follower's replica.
            RegionFileException busy = assertThrows(RegionFileException.class, () -> RegionFile.forWriting(replica));
            assertEquals(RegionFileException.Problem.BUSY, busy.problem());
        } finally {
            follower.stop();
            running.get(30, TimeUnit.SECONDS);
        }
        RegionFile.forWriting(replica).close(); // released once the follower is done
    }

    @Test
    void aServerThatFailsAuthenticationIsNotRetried() throws Exception {
        Identity server = Identity.newSelfSigned();
        Identity client = Identity.newSelfSigned();
        Identity stranger = Identity.newSelfSigned();
        Security serverTls = Security.tls(server, Set.of(client.fingerprint()));
        Security clientPinsSomeoneElse = Security.tls(client, Set.of(stranger.fingerprint()));
        Path source = Files.write(dir.resolve("source.bin"), new byte[65536]);
        try (SyncServer running = SyncServer.start("127.0.0.1", 0,
                List.of(new ExposedRegion("vm", dir.resolve("replica.bin"), false)),
                new ServerOptions(Duration.ofSeconds(1), Compression.ZSTD_DEFAULT, 2, serverTls), SyncListener.SILENT)) {
            Log log = new Log();
            Follower follower = new Follower("127.0.0.1", running.port(), clientPinsSomeoneElse, FOLLOW, log,
                    Duration.ofMillis(100), Duration.ofMillis(400));
            List<JobResult> results = follower.run(List.of(new SyncJob(Direction.PUSH, source, "vm")));
            assertFalse(results.getFirst().failure().isRetryable(), results.getFirst().failure().getMessage());
            assertTrue(results.getFirst().failure().getMessage().contains("not pinned"),
                    results.getFirst().failure().getMessage());
            assertTrue(log.lines.isEmpty(), String.join("\n", log.lines));
            assertTrue(log.connections.isEmpty(), log.connections.toString());
        }
    }

    @Test
    void aRefusedJobIsNotRetried() throws Exception {
        Path source = Files.write(dir.resolve("source.bin"), new byte[65536]);
        try (SyncServer server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("ro", source, true)),
                ServerOptions.defaults(), SyncListener.SILENT)) {
            Log log = new Log();
            Follower follower = new Follower("127.0.0.1", server.port(), Security.insecure(), FOLLOW, log,
                    Duration.ofMillis(100), Duration.ofMillis(400));
            List<JobResult> results = follower.run(List.of(new SyncJob(Direction.PUSH, source, "ro")));
            assertEquals(ErrorCode.READ_ONLY, results.getFirst().failure().code());
            assertTrue(log.lines.isEmpty(), String.join("\n", log.lines));
        }
    }
}
