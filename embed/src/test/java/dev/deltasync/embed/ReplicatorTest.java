package dev.deltasync.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.metrics.MetricsEndpoint;
import dev.deltasync.metrics.SyncMetrics;
import dev.deltasync.peer.Identity;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.SyncException;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded API against an in-process {@link Replica}, over real sockets and real file mappings. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplicatorTest {
    private static final int PAGE = 4096;
    private static final int PAGES = 4096;
    /** No periodic full scan during a test: what reaches the replica, tracking found. */
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<EpochReport> epochs = new CopyOnWriteArrayList<>();
    private final List<String> modes = new CopyOnWriteArrayList<>();
    private final ReplicatorListener recorder = new ReplicatorListener() {
        @Override
        public void epoch(EpochReport event) {
            epochs.add(event);
        }

        @Override
        public void scanMode(String region, ScanMode mode, String why) {
            modes.add(region + " " + mode + ": " + why);
        }
    };

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T resource) {
        open.add(resource);
        return resource;
    }

    private MemorySegment sourceSegment() throws IOException {
        return randomized(opened(MappedRegion.openResized(dir.resolve("source.bin"), (long) PAGES * PAGE)).segment());
    }

    private static MemorySegment randomized(MemorySegment segment) {
        SplittableRandom random = new SplittableRandom(1);
        for (long offset = 0; offset < segment.byteSize(); offset += 8) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, random.nextLong());
        }
        return segment;
    }

    private Replica replica(Security security) throws IOException, InterruptedException {
        return opened(Replicator.replica(dir.resolve("replica.bin"), "book").listen("127.0.0.1:0", security).start());
    }

    private Replicator source(MemorySegment segment, Replica replica, Security security, boolean tracking,
                              Duration fullScanEvery) {
        return opened(Replicator.source(segment, "book").to("127.0.0.1:" + replica.port(), security)
                .interval(Duration.ofMillis(50)).writeTracking(tracking).fullScanEvery(fullScanEvery)
                .listener(recorder).start());
    }

    private static void requireTracking(Replicator replicator) {
        if (replicator.scanMode() != ScanMode.TRACKED) {
            System.out.println("skipped: write tracking unavailable here: " + replicator.scanModeReason());
            Assumptions.abort("write tracking unavailable here: " + replicator.scanModeReason());
        }
    }

    /** A tracking replicator of {@code segment} to a new replica, which it has brought in sync; skips without tracking. */
    private Replicator trackedAndInSync(MemorySegment segment, Duration fullScanEvery) throws Exception {
        Replicator replicator = source(segment, replica(Security.insecure()), Security.insecure(), true, fullScanEvery);
        requireTracking(replicator);
        replicator.syncNow();
        return replicator;
    }

    private void assertReplicaIs(MemorySegment source) throws IOException {
        byte[] replica = Files.readAllBytes(dir.resolve("replica.bin"));
        byte[] expected = source.toArray(ValueLayout.JAVA_BYTE);
        assertEquals(expected.length, replica.length);
        for (int page = 0; page < PAGES; page++) {
            int from = page * PAGE;
            assertArrayEquals(java.util.Arrays.copyOfRange(expected, from, from + PAGE),
                    java.util.Arrays.copyOfRange(replica, from, from + PAGE), "page " + page + " differs");
        }
    }

    private long lastBytesScanned() {
        return epochs.getLast().totals().bytesScanned();
    }

    @Test
    void randomWritesFromSeveralThreadsDuringEpochsAllReachTheReplicaThroughTrackingAlone() throws Exception {
        MemorySegment segment = sourceSegment();
        Replicator replicator = trackedAndInSync(segment, NEVER);
        long afterFirst = lastBytesScanned();
        Set<Integer> written = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int seed = w;
            writers.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(100 + seed);
                while (!stop.get()) {
                    // At most 16 pages per thread and epoch, however slow epochs get: below the share at which a
                    // tracked scan hashes everything (RegionScans), so what reaches the replica is what tracking
                    // reported. Spread over a few ms, so some land while a scan runs.
                    int seen = epochs.size();
                    for (int i = 0; i < 16 && !stop.get(); i++) {
                        int page = random.nextInt(PAGES / 4) * 4 + seed; // each thread its own pages: no lost update
                        segment.set(ValueLayout.JAVA_LONG_UNALIGNED,
                                (long) page * PAGE + random.nextInt(PAGE / 8) * 8, random.nextLong());
                        written.add(page);
                        LockSupport.parkNanos(1_000_000);
                    }
                    while (epochs.size() == seen && !stop.get()) {
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            }));
        }
        long epochsBefore = epochs.size();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (epochs.size() < epochsBefore + 10 && System.nanoTime() < deadline) { // writes during epochs' scans
            Thread.sleep(20);
        }
        stop.set(true);
        for (Thread writer : writers) {
            writer.join();
        }
        replicator.syncNow();
        assertReplicaIs(segment);
        assertTrue(epochs.size() >= epochsBefore + 10, "epochs ran while the writers wrote: " + epochs.size());
        long hashedSince = lastBytesScanned() - afterFirst;
        long epochsSince = epochs.size() - epochsBefore;
        assertTrue(hashedSince < epochsSince * segment.byteSize() / 2,
                "tracked epochs hash fewer bytes than scans would: " + hashedSince + " in " + epochsSince + " epochs");
        assertTrue(written.size() > 256, "the writers touched many pages: " + written.size());
        assertEquals(ScanMode.TRACKED, replicator.scanMode(), replicator.scanModeReason());
    }

    @Test
    void syncNowReturnsOnceTheReplicaHoldsEveryEarlierWrite() throws Exception {
        MemorySegment segment = sourceSegment();
        Replica replica = replica(Security.insecure());
        Replicator replicator = opened(Replicator.source(segment, "book").to("127.0.0.1:" + replica.port(),
                Security.insecure()).interval(Duration.ofHours(1)).fullScanEvery(NEVER).start());
        replicator.syncNow();
        assertReplicaIs(segment);
        for (int round = 0; round < 5; round++) {
            segment.set(ValueLayout.JAVA_INT, (long) (round * 97 % PAGES) * PAGE + 12, 0x5eed0000 + round);
            replicator.syncNow(); // the interval is an hour: only syncNow can have sent it
            assertReplicaIs(segment);
        }
    }

    @Test
    void aPwriteTrackingCannotSeeIsFoundByThePeriodicFullScan() throws Exception {
        MemorySegment segment = sourceSegment();
        Replicator replicator = trackedAndInSync(segment, Duration.ofSeconds(1));
        try (FileChannel channel = FileChannel.open(dir.resolve("source.bin"), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 300L * PAGE + 40);
        }
        awaitReplicaHolds(300L * PAGE + 40, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        replicator.syncNow();
        assertReplicaIs(segment);
    }

    /** Waits (a minute at most) until the replica's file holds {@code bytes} at {@code offset}. */
    private void awaitReplicaHolds(long offset, byte[] bytes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!replicaHolds(offset, bytes) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private boolean replicaHolds(long offset, byte[] expected) throws IOException {
        try (FileChannel channel = FileChannel.open(dir.resolve("replica.bin"), StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate(expected.length);
            channel.read(bytes, offset);
            return java.util.Arrays.equals(bytes.array(), expected);
        }
    }

    @Test
    void aHolePunchedIntoTheSourceFileIsFoundByThePeriodicFullScan() throws Throwable {
        MemorySegment segment = sourceSegment();
        Replicator replicator = trackedAndInSync(segment, Duration.ofSeconds(1));
        NativeMemory.punchHole(dir.resolve("source.bin"), 300L * PAGE, 3L * PAGE); // tracking does not see it
        assertEquals(0, segment.get(ValueLayout.JAVA_LONG, 301L * PAGE), "the source's mapping reads the hole");
        awaitReplicaHolds(300L * PAGE, new byte[3 * PAGE]);
        replicator.syncNow();
        assertReplicaIs(segment);
    }

    @Test
    void pagesDroppedFromAnonymousMemoryReachTheReplicaAsZerosThroughTrackingAlone() throws Throwable {
        NativeMemory memory = opened(NativeMemory.plain((long) PAGES * PAGE)); // closed after the replicator
        MemorySegment segment = randomized(memory.segment());
        Replicator replicator = trackedAndInSync(segment, NEVER);
        memory.dropPages(100L * PAGE, 3L * PAGE); // MADV_DONTNEED: private anonymous pages read as zeros again
        assertEquals(0, segment.get(ValueLayout.JAVA_LONG, 101L * PAGE));
        replicator.syncNow(); // no periodic full scan: only tracking can have named the dropped pages
        assertReplicaIs(segment);
    }

    @Test
    void withTrackingTurnedOffEveryEpochScansAndTheListenerIsToldWhy() throws Exception {
        MemorySegment segment = sourceSegment();
        Replica replica = replica(Security.insecure());
        Replicator replicator = source(segment, replica, Security.insecure(), false, NEVER);
        assertEquals(ScanMode.SCANNING, replicator.scanMode());
        assertEquals(List.of("book SCANNING: write tracking is turned off"), modes);
        replicator.syncNow();
        long before = lastBytesScanned();
        segment.set(ValueLayout.JAVA_INT, 5L * PAGE, 42);
        replicator.syncNow();
        assertReplicaIs(segment);
        assertTrue(lastBytesScanned() - before >= segment.byteSize(), "a scanning epoch hashes the whole region");
    }

    @Test
    void itsMetricsSayHowItFindsWhatChangedAndWhyAndCountItsEpochs() throws Exception {
        MemorySegment segment = sourceSegment();
        Replica replica = replica(Security.insecure());
        SyncMetrics metrics = new SyncMetrics();
        MetricsEndpoint endpoint = opened(MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, metrics));
        Replicator replicator = opened(Replicator.source(segment, "book").to("127.0.0.1:" + replica.port(),
                Security.insecure()).interval(Duration.ofHours(1)).writeTracking(false).metrics(metrics).start());
        replicator.syncNow();
        String text;
        try (HttpClient http = HttpClient.newHttpClient()) {
            text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        assertTrue(text.contains("deltasync_scan_mode{mode=\"scanning\",reason=\"write tracking is turned off\","
                + "region=\"book\"} 1.0"), text);
        assertTrue(text.contains("deltasync_verified_epochs_total{peer=\"127.0.0.1:" + replica.port()
                + "\",region=\"book\",side=\"source\"} 1.0"), text);
    }

    @Test
    void epochsReportTheirLag() throws Exception {
        MemorySegment segment = sourceSegment();
        Replica replica = replica(Security.insecure());
        Replicator replicator = source(segment, replica, Security.insecure(), true, NEVER);
        replicator.syncNow();
        EpochReport last = epochs.getLast();
        assertEquals("book", last.region());
        assertTrue(last.verified());
        Duration lag = last.lagAt(Instant.now()).orElseThrow();
        assertTrue(!lag.isNegative() && lag.compareTo(Duration.ofMinutes(1)) < 0, lag.toString());
    }

    @Test
    void overPinnedTlsBothWaysAndNotWithAnUnpinnedSource() throws Exception {
        Identity server = Identity.newSelfSigned();
        Identity client = Identity.newSelfSigned();
        Identity stranger = Identity.newSelfSigned();
        MemorySegment segment = sourceSegment();
        Replica replica = replica(Security.tls(server, Set.of(client.fingerprint())));
        Replicator replicator = source(segment, replica, Security.tls(client, Set.of(server.fingerprint())), true, NEVER);
        replicator.syncNow();
        assertReplicaIs(segment);
        replicator.close();

        Replicator refused = source(segment, replica, Security.tls(stranger, Set.of(server.fingerprint())), true,
                NEVER);
        SyncException e = assertThrows(SyncException.class, () -> refused.syncNow(Duration.ofSeconds(60)));
        assertFalse(e.isRetryable(), e.getMessage());
    }

    @Test
    void builderMistakesAreOneLineErrors() {
        MemorySegment segment = MemorySegment.ofArray(new byte[PAGE]);
        assertEquals("address 'nowhere' must be HOST:PORT", assertThrows(IllegalArgumentException.class,
                () -> Replicator.source(segment, "book").to("nowhere", Security.insecure())).getMessage());
        assertEquals("no server: call to(\"host:port\", security) first", assertThrows(IllegalStateException.class,
                () -> Replicator.source(segment, "book").start()).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Security.tls(Identity.newSelfSigned(), Set.of()));
        assertEquals("interval must be at least 1 ms: PT0S", assertThrows(IllegalArgumentException.class,
                () -> Replicator.source(segment, "book").interval(Duration.ZERO)).getMessage());
    }

    @Test
    void closeFromTheReplicatorsOwnListenerReturnsAndStopsIt() throws Exception {
        MemorySegment segment = sourceSegment();
        Replica replica = replica(Security.insecure());
        CompletableFuture<Replicator> self = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Replicator replicator = opened(Replicator.source(segment, "book").to("127.0.0.1:" + replica.port(),
                Security.insecure()).interval(Duration.ofMillis(50)).listener(new ReplicatorListener() {
                    @Override
                    public void epoch(EpochReport event) {
                        if (event.verified() && !closed.isDone()) {
                            try {
                                self.join().close();
                                closed.complete(null);
                            } catch (InterruptedException | RuntimeException e) {
                                closed.completeExceptionally(e);
                            }
                        }
                    }
                }).start());
        self.complete(replicator);
        closed.get(60, TimeUnit.SECONDS); // before the fix: close() joined its own thread and never returned
        SyncException e = assertThrows(SyncException.class, () -> replicator.syncNow(Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
