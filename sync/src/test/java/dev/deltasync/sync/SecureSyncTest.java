package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import dev.deltasync.peer.ConnectFailure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The engine over TLS: pinned peers, per-region authorization, and the blake3 policy. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecureSyncTest {
    private static final Identity SERVER = Identity.newSelfSigned();
    private static final Identity ALICE = Identity.newSelfSigned();
    private static final Identity BOB = Identity.newSelfSigned();

    @TempDir
    Path dir;

    private final List<String> serverLog = new CopyOnWriteArrayList<>();
    private final List<Object> serverEvents = new CopyOnWriteArrayList<>();
    private SyncServer server;
    private final List<SyncClient> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(SyncClient::close);
        if (server != null) {
            server.close();
        }
    }

    private static Security tls(Identity identity, Identity... pinned) {
        Set<Fingerprint> pins = Arrays.stream(pinned).map(Identity::fingerprint).collect(Collectors.toSet());
        return Security.tls(identity, PeerTrust.pinned(pins));
    }

    private void serve(ExposedRegion... regions) throws Exception {
        ServerOptions options = new ServerOptions(Duration.ofMillis(100), Compression.ZSTD_DEFAULT, 2,
                tls(SERVER, ALICE, BOB));
        server = SyncServer.start("127.0.0.1", 0, List.of(regions), options, new SyncListener() {
            @Override
            public void info(String message) {
                serverLog.add(message);
            }

            @Override
            public void connection(ConnectionEvent event) {
                serverEvents.add(event);
            }

            @Override
            public void stream(StreamEvent event) {
                serverEvents.add(event);
            }
        });
    }

    private SyncClient connect(Identity who) throws Exception {
        SyncClient client = SyncClient.connect("127.0.0.1", server.port(), tls(who, SERVER));
        clients.add(client);
        return client;
    }

    private Path randomFile(String name, long size, long seed) throws IOException {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new SplittableRandom(seed).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    private static SyncOptions once(HashAlgorithm hash) {
        return new SyncOptions(65536, hash, Compression.ZSTD_DEFAULT, Duration.ofMillis(100), true, false, 2);
    }

    @Test
    void pushOnceOverTlsWithMatchingPinsConvergesAndTheServerReportsWhoPushed() throws Exception {
        Path source = randomFile("source.bin", 5 * 65536 + 17, 1);
        Path replica = randomFile("replica.bin", 5 * 65536 + 17, 2);
        serve(new ExposedRegion("vm", replica, false));
        SyncClient alice = connect(ALICE);
        assertEquals(new RemotePeer("127.0.0.1", server.port(), java.util.Optional.of(SERVER.fingerprint())),
                alice.peer());
        SyncOutcome outcome = alice.run(new SyncJob(Direction.PUSH, source, "vm"), once(HashAlgorithm.XXH3_128),
                SyncListener.SILENT);
        assertTrue(outcome.verified());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
        alice.close();
        SyncEngineTest.waitUntil(() -> serverEvents.stream().anyMatch(ConnectionEvent.Disconnected.class::isInstance)
                && serverEvents.stream().anyMatch(StreamEvent.Ended.class::isInstance));
        String all = serverEvents.toString();
        ConnectionEvent.Connected connected = (ConnectionEvent.Connected) serverEvents.getFirst();
        assertEquals(java.util.Optional.of(ALICE.fingerprint()), connected.peer().fingerprint(), all);
        assertTrue(connected.peer().address().matches("127\\.0\\.0\\.1:\\d+"), all);
        assertEquals(new StreamEvent.Started(connected.peer(), "vm", Direction.PUSH, 1), serverEvents.get(1), all);
        StreamEvent.Ended ended = serverEvents.stream().filter(StreamEvent.Ended.class::isInstance)
                .map(StreamEvent.Ended.class::cast).findFirst().orElseThrow();
        assertEquals(connected.peer(), ended.peer(), all);
        assertTrue(ended.verifiedEpoch() >= 1, all);
        ConnectionEvent.Disconnected disconnected = serverEvents.stream()
                .filter(ConnectionEvent.Disconnected.class::isInstance).map(ConnectionEvent.Disconnected.class::cast)
                .findFirst().orElseThrow();
        assertEquals(connected.peer(), disconnected.peer(), all);
    }

    @Test
    void aPeerNotAllowedARegionLearnsNothingMoreThanForAMissingOne() throws Exception {
        Path secret = randomFile("secret.bin", 65536, 3);
        serve(new ExposedRegion("secret", secret, true)
                .withAccess(PeerAccess.only(Set.of(ALICE.fingerprint()), Set.of())));
        SyncClient bob = connect(BOB);
        SyncException forbidden = assertThrows(SyncException.class, () -> bob.run(
                new SyncJob(Direction.PULL, dir.resolve("a.bin"), "secret"), once(HashAlgorithm.XXH3_128),
                SyncListener.SILENT));
        SyncException missing = assertThrows(SyncException.class, () -> bob.run(
                new SyncJob(Direction.PULL, dir.resolve("b.bin"), "secreu"), once(HashAlgorithm.XXH3_128),
                SyncListener.SILENT));
        assertEquals(ErrorCode.UNKNOWN_REGION, forbidden.code());
        assertEquals(ErrorCode.UNKNOWN_REGION, missing.code());
        assertEquals(missing.getMessage().replace("secreu", "secret"), forbidden.getMessage());
        // a push, or an unacceptable hash, must not tell them apart either
        SyncException pushForbidden = assertThrows(SyncException.class, () -> bob.run(
                new SyncJob(Direction.PUSH, secret, "secret"), once(HashAlgorithm.CRC32), SyncListener.SILENT));
        SyncException pushMissing = assertThrows(SyncException.class, () -> bob.run(
                new SyncJob(Direction.PUSH, secret, "secreu"), once(HashAlgorithm.CRC32), SyncListener.SILENT));
        assertEquals(ErrorCode.UNKNOWN_REGION, pushForbidden.code());
        assertEquals(pushMissing.getMessage().replace("secreu", "secret"), pushForbidden.getMessage());
        assertTrue(serverLog.stream().anyMatch(l -> l.contains("by " + BOB.fingerprint())
                && l.contains("not allowed region 'secret'")), serverLog.toString());

        SyncOutcome alice = connect(ALICE).run(new SyncJob(Direction.PULL, dir.resolve("alice.bin"), "secret"),
                once(HashAlgorithm.XXH3_128), SyncListener.SILENT);
        assertTrue(alice.verified());
        assertArrayEquals(Files.readAllBytes(secret), Files.readAllBytes(dir.resolve("alice.bin")));
    }

    @Test
    void aPullOnlyPeerCannotPushAndAPusherMayAlsoPull() throws Exception {
        Path replica = randomFile("replica.bin", 2 * 65536, 4);
        Path source = randomFile("source.bin", 2 * 65536, 5);
        byte[] before = Files.readAllBytes(replica);
        serve(new ExposedRegion("vm", replica, false)
                .withAccess(PeerAccess.only(Set.of(BOB.fingerprint()), Set.of(ALICE.fingerprint()))));
        SyncException refused = assertThrows(SyncException.class, () -> connect(BOB).run(
                new SyncJob(Direction.PUSH, source, "vm"), once(HashAlgorithm.XXH3_128), SyncListener.SILENT));
        assertEquals(ErrorCode.READ_ONLY, refused.code());
        assertTrue(refused.getMessage().contains("--allow vm=push:" + BOB.fingerprint()), refused.getMessage());
        assertArrayEquals(before, Files.readAllBytes(replica));

        SyncClient alice = connect(ALICE);
        assertTrue(alice.run(new SyncJob(Direction.PUSH, source, "vm"), once(HashAlgorithm.XXH3_128),
                SyncListener.SILENT).verified());
        assertTrue(alice.run(new SyncJob(Direction.PULL, dir.resolve("back.bin"), "vm"), once(HashAlgorithm.XXH3_128),
                SyncListener.SILENT).verified());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(dir.resolve("back.bin")));
    }

    @Test
    void aRegionThatRequiresBlake3RefusesOtherHashesAndAcceptsBlake3() throws Exception {
        Path replica = dir.resolve("replica.bin");
        Path source = randomFile("source.bin", 3 * 65536, 6);
        serve(new ExposedRegion("vm", replica, false).withRequireBlake3(true));
        SyncClient alice = connect(ALICE);
        SyncException refused = assertThrows(SyncException.class, () -> alice.run(
                new SyncJob(Direction.PUSH, source, "vm"), once(HashAlgorithm.XXH3_128), SyncListener.SILENT));
        assertEquals(ErrorCode.UNSUPPORTED_PARAMETER, refused.code());
        assertTrue(refused.getMessage().contains("requires the blake3 hash"), refused.getMessage());
        assertTrue(refused.getMessage().contains("--hash blake3"), refused.getMessage());

        assertTrue(alice.run(new SyncJob(Direction.PUSH, source, "vm"), once(HashAlgorithm.BLAKE3),
                SyncListener.SILENT).verified());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
    }

    @Test
    void aClientWithTheWrongPinGetsAClearErrorAndTheServerLogsTheRefusal() throws Exception {
        serve(new ExposedRegion("vm", dir.resolve("replica.bin"), false));
        SyncException e = assertThrows(SyncException.class,
                () -> SyncClient.connect("127.0.0.1", server.port(), tls(ALICE, BOB)));
        assertEquals(ErrorCode.CANCEL, e.code());
        assertTrue(e.getMessage().contains("server certificate " + SERVER.fingerprint() + " is not pinned"),
                e.getMessage());
        assertEquals(new ConnectFailure.NotPinned(ConnectFailure.Peer.SERVER, SERVER.fingerprint(), null),
                e.connectFailure().orElseThrow());
        assertFalse(e.isRetryable(), "the same pins would refuse the same certificate again");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (serverLog.stream().noneMatch(l -> l.contains("refused our certificate")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(serverLog.stream().anyMatch(l -> l.startsWith("connection from 127.0.0.1:")
                && l.contains("the client refused our certificate " + SERVER.fingerprint())), serverLog.toString());
    }
}
