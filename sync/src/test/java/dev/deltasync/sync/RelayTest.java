package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.codec.Compression;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A relay (a replica served onwards) forwards what its upstream verified, without hashing its region. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayTest {
    private static final int CHUNK = 4096;
    private static final int SIZE = 256 * CHUNK;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final SyncOptions FOLLOW = new SyncOptions(CHUNK, HashAlgorithm.XXH3_128, Compression.ZSTD_DEFAULT,
            Duration.ofMillis(100), false, false, 2);
    private static final ServerOptions SERVE = new ServerOptions(Duration.ofMillis(100), Compression.ZSTD_DEFAULT, 2,
            Security.insecure());

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    /** Every epoch a relay's downstream streams completed, as the relay's server reported them. */
    private static final class SourceEpochs implements SyncListener {
        final List<EpochReport> reports = new CopyOnWriteArrayList<>();

        @Override
        public void epochCompleted(EpochReport epoch) {
            if (epoch.side() == Side.SOURCE) {
                reports.add(epoch);
            }
        }
    }

    @Test
    void aRelayForwardsEachVerifiedEpochWithoutHashingItsRegion() throws Exception {
        Path a = randomFile("a.bin", 1);
        Path c = dir.resolve("c.bin");
        SourceEpochs downstreamEpochs = new SourceEpochs();
        Relay relay = chainConverged(a, c, downstreamEpochs);

        SplittableRandom random = new SplittableRandom(7);
        try (MappedRegion source = MappedRegion.open(a, dev.deltasync.sync.region.RegionAccess.READ_WRITE)) {
            for (int round = 0; round < 5; round++) {
                byte[] page = new byte[CHUNK];
                random.nextBytes(page);
                long offset = (long) random.nextInt(SIZE / CHUNK) * CHUNK;
                java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.ofArray(page), 0,
                        source.segment(), offset, CHUNK);
                long before = relay.verifiedEpoch();
                await(() -> relay.verifiedEpoch() > before && identical(a, c), "c to follow round " + round);
            }
        }
        await(() -> downstreamEpochs.reports.stream().anyMatch(r -> r.verified() && r.totals().chunksChanged() > 256),
                "a verified downstream epoch after the writes");
        for (EpochReport report : downstreamEpochs.reports) {
            assertEquals(0, report.totals().bytesScanned(), "the relay hashed its region for a downstream epoch: "
                    + report);
        }
        EpochReport last = downstreamEpochs.reports.getLast();
        assertTrue(last.verifiedSourceTime().isPresent(), "downstream epochs carry the upstream's source time");
        assertTrue(last.verifiedSourceTime().get().isBefore(Instant.now()), "a source time from the past: " + last);
    }

    /** Consecutive changed chunks reach the relay as one run (codec 3): it forwards every chunk of it, not the first. */
    @Test
    void aRelayForwardsEveryChunkOfARun() throws Exception {
        Path a = randomFile("a.bin", 1);
        Path c = dir.resolve("c.bin");
        chainConverged(a, c, SyncListener.SILENT);
        byte[] run = new byte[4 * CHUNK];
        new SplittableRandom(11).nextBytes(run);
        writeChunk(a, 3, run); // chunks 3..6 change together
        await(() -> identical(a, c), "c to get all four chunks of the run");
    }

    @Test
    void aPullOfARelayBeforeItsFirstVerifiedEpochIsRefusedForNow() throws Exception {
        Path b = dir.resolve("b.bin");
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        SyncServer relayServer = serve(List.of(new ExposedRegion("r", b, true)), Map.of("r", relay), SyncListener.SILENT);
        try (SyncClient client = SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure())) {
            SyncException refused = assertThrows(SyncException.class, () -> client.run(
                    new SyncJob(SyncJob.Direction.PULL, dir.resolve("c.bin"), "r"), FOLLOW.once(true),
                    SyncListener.SILENT));
            assertEquals(ErrorCode.REFUSED_STREAM, refused.code(), refused.getMessage());
            assertTrue(refused.isRetryable(), "a following pull must retry: " + refused.getMessage());
            assertTrue(refused.getMessage().contains("no verified epoch"), refused.getMessage());
        }
    }

    /**
     * A relay's table is its upstream's verified epochs, never a hash of its file: it cannot REHASH (PROTOCOL.md
     * §9.7), so it answers without the flag, and a verifying pull must not take that for a full re-hash.
     */
    @Test
    void aVerifyingPullOfARelayIsRefusedForTheRelayCannotRehash() throws Exception {
        Path b = dir.resolve("b.bin");
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        SyncServer relayServer = relaying(randomFile("a.bin", 1), b, relay, SyncListener.SILENT);
        try (SyncClient client = SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure())) {
            SyncException refused = assertThrows(SyncException.class, () -> client.run(
                    new SyncJob(SyncJob.Direction.PULL, dir.resolve("c.bin"), "r"), FOLLOW.once(true).verifying(true),
                    SyncListener.SILENT));
            assertEquals(ErrorCode.UNSUPPORTED_PARAMETER, refused.code(), refused.getMessage());
            assertTrue(refused.getMessage().contains("REHASH"), refused.getMessage());
            assertTrue(client.run(new SyncJob(SyncJob.Direction.PULL, dir.resolve("c.bin"), "r"), FOLLOW.once(true),
                    SyncListener.SILENT).verified(), "without --verify the relay serves the pull");
        }
    }

    /**
     * The relay's file is being written by an upstream epoch that never verifies (it is written over with other
     * bytes): a downstream epoch already under way must not send those bytes, and completes once the upstream
     * verifies again, with exactly the verified bytes.
     */
    @Test
    void bytesOfAnUpstreamEpochThatDidNotVerifyAreNeverForwarded() throws Exception {
        Path b = randomFile("b.bin", 2);
        byte[] verified = Files.readAllBytes(b);
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        DigestTable table = tableOf(b);
        relay.verified(1, table, null, Optional.of(Instant.now()), FileStamp.of(b));
        SyncServer relayServer = serve(List.of(new ExposedRegion("r", b, true)), Map.of("r", relay), SyncListener.SILENT);

        relay.changing(); // an upstream epoch starts writing
        byte[] unverified = randomChunk(3);
        writeChunk(b, 3, unverified);

        Path c = dir.resolve("c.bin");
        SyncClient client = closing(SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure()));
        CompletableFuture<SyncOutcome> once = pullOnce(client, c);
        await(() -> Files.exists(c), "the downstream pull to create its replica");
        Thread.sleep(2000); // a lower bound: however long the upstream epoch takes, nothing unverified goes down
        assertFalse(once.isDone(), "the downstream verified while its relay held no verified epoch");
        assertFalse(containsChunk(c, unverified), "the downstream received bytes its relay never verified");

        writeChunk(b, 3, java.util.Arrays.copyOfRange(verified, 3 * CHUNK, 4 * CHUNK)); // the upstream repairs
        BitSet written = new BitSet();
        written.set(3);
        relay.verified(3, table, written, Optional.of(Instant.now()), FileStamp.of(b));
        SyncOutcome outcome = once.get(60, TimeUnit.SECONDS);
        assertTrue(outcome.verifiedEpoch() > 0, "verified after the upstream verified again");
        assertArrayEquals(verified, Files.readAllBytes(c), "the downstream holds exactly the verified bytes");
    }

    /**
     * The relay loses its upstream, so no replica stream watches its file, and another program writes into it: a
     * downstream pull must not verify bytes the upstream never had (the relay stops trusting its file when its
     * upstream stream ends).
     */
    @Test
    void aForeignWriteWhileTheRelayHasNoUpstreamIsNeverForwarded() throws Exception {
        Path a = randomFile("a.bin", 1);
        Path b = dir.resolve("b.bin");
        SyncServer upstream = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("a", a, true)), Map.of(),
                SERVE, SyncListener.SILENT);
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        List<ConnectionEvent> connections = new CopyOnWriteArrayList<>();
        follow(upstream, SyncJob.relayedPull(b, "a", relay), new SyncListener() {
            @Override
            public void connection(ConnectionEvent event) {
                connections.add(event);
            }
        });
        SyncServer relayServer = serve(List.of(new ExposedRegion("r", b, true)), Map.of("r", relay), SyncListener.SILENT);
        await(() -> relay.verifiedEpoch() > 0 && identical(a, b), "the relay's first verified upstream epoch");
        upstream.close(); // B loses A: its pull reconnects, and no replica stream runs meanwhile
        await(() -> connections.stream().anyMatch(e -> e instanceof ConnectionEvent.Disconnected),
                "the relay's upstream connection to end");
        byte[] foreign = randomChunk(99);
        writeChunk(b, 5, foreign);
        Path c = dir.resolve("c.bin");
        SyncClient client = closing(SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure()));
        CompletableFuture<SyncOutcome> once = pullOnce(client, c);
        assertThrows(TimeoutException.class, () -> once.get(5, TimeUnit.SECONDS), // a lower bound: never, in fact
                "the downstream verified a relay that has no upstream, and another program wrote into its file");
        assertFalse(containsChunk(c, foreign), "the downstream received bytes its relay's upstream never had");
    }

    /**
     * No replica stream notices it, but the relay itself looks at its file's stamp before copying: a write by
     * another program after the verified epoch is not forwarded, and the next verified epoch is.
     */
    @Test
    void theRelayNoticesAForeignWriteIntoItsFileByItsStamp() throws Exception {
        Path b = randomFile("b.bin", 2);
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        relay.verified(1, tableOf(b), null, Optional.of(Instant.now()), FileStamp.of(b));
        long verifiedAt = System.nanoTime(); // after the relay noted the time: no copy looks sooner than a period later
        SyncServer relayServer = serve(List.of(new ExposedRegion("r", b, true)), Map.of("r", relay), SyncListener.SILENT);
        while (System.nanoTime() - verifiedAt <= Relay.STAMP_CHECK_EVERY.toNanos()) {
            Thread.sleep(50); // the relay looks at the stamp at most that often: a write before is the window
        }
        byte[] foreign = randomChunk(99);
        writeChunk(b, 5, foreign);
        Path c = dir.resolve("c.bin");
        SyncClient client = closing(SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure()));
        CompletableFuture<SyncOutcome> once = pullOnce(client, c);
        assertThrows(TimeoutException.class, () -> once.get(3, TimeUnit.SECONDS), // a lower bound
                "the downstream verified bytes another program wrote into the relay's file");
        assertFalse(containsChunk(c, foreign), "the downstream received bytes its relay's upstream never had");

        relay.verified(2, tableOf(b), null, Optional.of(Instant.now()), FileStamp.of(b)); // the upstream had them
        assertTrue(once.get(60, TimeUnit.SECONDS).verifiedEpoch() > 0, "verified once the upstream verified");
        assertTrue(identical(b, c), "the downstream holds the bytes of the relay's next verified epoch");
    }

    /**
     * A downstream stream waiting for a verified epoch (the relay's upstream epoch never ends) ends when its puller
     * leaves, and when the relay's server closes: it would hold a thread, an admission ticket and a stream slot,
     * and make the server's close wait its full limit.
     */
    @Test
    void aDownstreamStreamWaitingForAVerifiedEpochEndsWhenItsPullerLeavesOrTheServerCloses() throws Exception {
        Path b = randomFile("b.bin", 2);
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        relay.verified(1, tableOf(b), null, Optional.of(Instant.now()), FileStamp.of(b));
        List<StreamEvent> events = new CopyOnWriteArrayList<>();
        SyncServer relayServer = serve(List.of(new ExposedRegion("r", b, true)), Map.of("r", relay),
                new SyncListener() {
                    @Override
                    public void stream(StreamEvent event) {
                        events.add(event);
                    }
                });
        relay.changing(); // an upstream epoch starts, and B then loses A: it never verifies
        SyncClient leaving = SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure());
        pullOnce(leaving, dir.resolve("c.bin"));
        await(() -> Files.exists(dir.resolve("c.bin")) && count(events, StreamEvent.Started.class) == 1,
                "the first downstream stream to start");
        leaving.close(); // C goes away (Ctrl-C, a restart)
        await(() -> count(events, StreamEvent.Ended.class) == 1, "the stream of the puller that left to end");

        SyncClient staying = closing(SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure()));
        pullOnce(staying, dir.resolve("d.bin"));
        await(() -> Files.exists(dir.resolve("d.bin")) && count(events, StreamEvent.Started.class) == 2,
                "the second downstream stream to start");
        relayServer.close();
        assertEquals(2, count(events, StreamEvent.Ended.class),
                "the server's close returned before the waiting stream ended: " + events);
    }

    /** A following pull whose replica file is replaced (a restore moved over it) goes on with the new file. */
    @Test
    void aFollowingPullWhoseFileIsReplacedGoesOnWithTheNewFile() throws Exception {
        Path a = randomFile("a.bin", 1);
        Path b = dir.resolve("b.bin");
        SyncServer upstream = serve(List.of(new ExposedRegion("a", a, true)), Map.of(), SyncListener.SILENT);
        follow(upstream, new SyncJob(SyncJob.Direction.PULL, b, "a"), SyncListener.SILENT);
        await(() -> identical(a, b), "b to follow a");
        replaceByACopy(b);
        writeChunk(a, 9, randomChunk(5));
        await(() -> identical(a, b), "the replaced replica to follow a again");
    }

    /**
     * A relay whose replica file is replaced serves the new file: the mapping of the old one (its inode lives on
     * while mapped) holds none of the bytes the next verified epochs write.
     */
    @Test
    void aRelayWhoseReplicaFileIsReplacedServesTheNewFile() throws Exception {
        Path a = randomFile("a.bin", 1);
        Path b = dir.resolve("b.bin");
        SyncServer upstream = serve(List.of(new ExposedRegion("a", a, true)), Map.of(), SyncListener.SILENT);
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        follow(upstream, SyncJob.relayedPull(b, "a", relay), SyncListener.SILENT);
        SyncServer relayServer = serve(List.of(new ExposedRegion("r", b, true)), Map.of("r", relay), SyncListener.SILENT);
        await(() -> relay.verifiedEpoch() > 0 && identical(a, b), "the relay's first verified upstream epoch");
        replaceByACopy(b);
        writeChunk(a, 9, randomChunk(5));
        await(() -> identical(a, b), "the relay's replaced replica to follow a again");
        long since = relay.verifiedEpoch();
        await(() -> relay.verifiedEpoch() > since, "a verified upstream epoch of the new file");
        Path c = dir.resolve("c.bin");
        SyncClient client = closing(SyncClient.connect("127.0.0.1", relayServer.port(), Security.insecure()));
        assertTrue(pullOnce(client, c).get(60, TimeUnit.SECONDS).verifiedEpoch() > 0, "the downstream verified");
        assertTrue(identical(a, c), "the downstream holds a's bytes, not those of the relay's replaced file");
    }

    /** Replaces {@code file} by a copy of itself, moved over it atomically: another inode, the same bytes. */
    private void replaceByACopy(Path file) throws IOException {
        Path restored = Files.copy(file, dir.resolve("restored.bin"));
        Files.move(restored, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] randomChunk(long seed) {
        byte[] chunk = new byte[CHUNK];
        new SplittableRandom(seed).nextBytes(chunk);
        return chunk;
    }

    /** A --once pull of the relay's region "r" into {@code replica}, on a thread of its own. */
    private static CompletableFuture<SyncOutcome> pullOnce(SyncClient client, Path replica) {
        CompletableFuture<SyncOutcome> once = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                once.complete(client.run(new SyncJob(SyncJob.Direction.PULL, replica, "r"), FOLLOW.once(true),
                        SyncListener.SILENT));
            } catch (Throwable e) {
                once.completeExceptionally(e);
            }
        });
        return once;
    }

    private static long count(List<StreamEvent> events, Class<? extends StreamEvent> type) {
        return events.stream().filter(type::isInstance).count();
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private SyncServer serve(List<ExposedRegion> regions, Map<String, Relay> relays, SyncListener listener)
            throws Exception {
        return closing(SyncServer.start("127.0.0.1", 0, regions, relays, SERVE, listener));
    }

    /** A -> B -> C: {@code a} served, B a relay pulling it and serving it on, C pulling B into {@code c}, converged. */
    private Relay chainConverged(Path a, Path c, SyncListener downstream) throws Exception {
        Path b = dir.resolve("b.bin");
        Relay relay = closing(new Relay("r", b, SyncListener.SILENT));
        follow(relaying(a, b, relay, downstream), new SyncJob(SyncJob.Direction.PULL, c, "r"));
        await(() -> identical(a, c), "c to converge on a");
        return relay;
    }

    /** {@code relay} of {@code b} following region "a" of a server of {@code a}, served as "r" once it verified. */
    private SyncServer relaying(Path a, Path b, Relay relay, SyncListener downstream) throws Exception {
        SyncServer upstream = serve(List.of(new ExposedRegion("a", a, true)), Map.of(), SyncListener.SILENT);
        follow(upstream, SyncJob.relayedPull(b, "a", relay));
        SyncServer relayServer = serve(List.of(new ExposedRegion("r", b, true)), Map.of("r", relay), downstream);
        await(() -> relay.verifiedEpoch() > 0, "the relay's first verified upstream epoch");
        return relayServer;
    }

    private void follow(SyncServer server, SyncJob job) {
        follow(server, job, SyncListener.SILENT);
    }

    private void follow(SyncServer server, SyncJob job, SyncListener listener) {
        Follower follower = new Follower("127.0.0.1", server.port(), Security.insecure(), FOLLOW, listener,
                Duration.ofMillis(100), Duration.ofSeconds(1));
        CompletableFuture<List<JobResult>> running = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> { // not the common pool: it may have a single thread
            try {
                running.complete(follower.run(List.of(job)));
            } catch (Throwable e) {
                running.completeExceptionally(e);
            }
        });
        toClose.add(() -> {
            follower.stop();
            running.get(30, TimeUnit.SECONDS);
        });
    }

    private Path randomFile(String name, long seed) throws IOException {
        byte[] bytes = new byte[SIZE];
        new SplittableRandom(seed).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    private static DigestTable tableOf(Path file) throws IOException {
        DigestTable table = DigestTable.create(HashAlgorithm.XXH3_128, SIZE, CHUNK);
        try (MappedRegion region = MappedRegion.open(file, dev.deltasync.sync.region.RegionAccess.READ_ONLY);
             ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 1)) {
            scanner.scan(region.segment(), table);
        }
        return table;
    }

    private static void writeChunk(Path file, int index, byte[] bytes) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(bytes), (long) index * CHUNK);
        }
    }

    private static boolean containsChunk(Path file, byte[] chunk) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int offset = 0; offset + CHUNK <= bytes.length; offset += CHUNK) {
            if (java.util.Arrays.equals(bytes, offset, offset + CHUNK, chunk, 0, CHUNK)) {
                return true;
            }
        }
        return false;
    }

    private static boolean identical(Path x, Path y) {
        try {
            return Files.exists(y) && Files.mismatch(x, y) == -1;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + DEADLINE + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
