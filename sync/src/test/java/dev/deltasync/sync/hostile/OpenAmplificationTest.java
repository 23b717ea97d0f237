package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.Reset;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.StreamLimits;
import dev.deltasync.sync.SyncClient;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import dev.deltasync.sync.SyncOutcome;
import dev.deltasync.sync.codec.Compression;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OPEN amplification (issue 8, finding 6): a peer that opens pull after pull and never sends its table made the
 * server scan the whole region and allocate its tables once per OPEN. Now concurrent OPENs share one scan, each
 * OPEN's tables are charged to a budget (and one connection's share of it) before it is accepted, a region is
 * scanned with a few parameter sets at most, and total streams are capped: what is over is RESET REFUSED_STREAM.
 * Each attack ends with the server's heap under a stated bound and a legitimate pull --once verified.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenAmplificationTest extends ServerFixture {
    private static final long MIB = 1024 * 1024;
    /** 16384 chunks of 4 KiB: a 256 KiB XXH3-128 table per stream. */
    private static final long BIG_SIZE = Long.getLong("amplification.mib", 64) * MIB; // -D for a bigger measurement
    private static final long TABLE = BIG_SIZE / CHUNK * HASH.digestLength();
    private static final long PER_CONNECTION = 8 * MIB;
    private static final StreamLimits LIMITS = new StreamLimits(64, 16, 32 * MIB, PER_CONNECTION);
    private Path big;

    @Override
    List<ExposedRegion> regions() {
        big = sparseFile("big.bin", BIG_SIZE, 64);
        List<ExposedRegion> regions = new ArrayList<>(super.regions());
        regions.add(new ExposedRegion("big", big, true));
        return regions;
    }

    @Override
    ServerOptions serverOptions() {
        return super.serverOptions().withLimits(LIMITS);
    }

    @Test
    void hundredsOfOpensOnOneConnectionAreChargedAndTheRestRefused() throws Exception {
        timedLegitimatePull(); // warms the JIT up, so the two timed pulls compare
        long unloaded = timedLegitimatePull();
        long heapBefore = usedHeapAfterGc();
        long rssBefore = anonymousRss();
        RawPeer attacker = connect();
        attacker.handshake();
        Map<Integer, Frame> answers = openPulls(attacker, 250, i -> HASH, i -> CHUNK);
        long accepted = answers.values().stream().filter(OpenOk.class::isInstance).count();
        long refused = answers.values().stream().filter(f -> f instanceof Reset r
                && r.errorCode() == ErrorCode.REFUSED_STREAM).count();
        System.out.println("OpenAmplificationTest: 250 OPENs: " + accepted + " accepted, " + refused + " refused ("
                + answers.size() + " answered)");
        assertTrue(accepted >= 1, "the first OPENs fit the connection's share");
        assertTrue(accepted <= PER_CONNECTION / TABLE, accepted + " streams of " + TABLE + " bytes each exceed the "
                + PER_CONNECTION + "-byte share of one connection");
        assertTrue(refused >= 1, "the OPENs past the share are refused: " + attacker.summary());

        long loaded = timedLegitimatePull();
        System.out.printf("OpenAmplificationTest: a legitimate pull --once took %d ms unloaded, %d ms beside the"
                + " attacker's streams%n", unloaded, loaded);

        // Measured after the legitimate pull, which waited for every scan the attacker's OPENs asked for.
        long heapDelta = usedHeapAfterGc() - heapBefore;
        long bound = PER_CONNECTION + 2 * TABLE + 16 * MIB; // its share, the shared scan, room for the JVM's own
        System.out.printf("OpenAmplificationTest: heap grew by %.1f MiB with the attacker's streams open (bound %.1f)%n",
                heapDelta / (double) MIB, bound / (double) MIB);
        assertTrue(heapDelta < bound, "heap grew by " + heapDelta + " bytes, bound " + bound);
        // Resident anonymous memory (heap pages, thread stacks, Netty's buffers; not the mapped file's pages). The
        // heap keeps the pages the legitimate pull's garbage (its chunk copies) touched, hence a region's worth more.
        long rssDelta = anonymousRss() - rssBefore;
        long rssBound = bound + BIG_SIZE + 48 * MIB;
        System.out.printf("OpenAmplificationTest: anonymous RSS grew by %.1f MiB (bound %.1f)%n",
                rssDelta / (double) MIB, rssBound / (double) MIB);
        assertTrue(rssDelta < rssBound, "anonymous RSS grew by " + rssDelta + " bytes, bound " + rssBound);
        attacker.expectAlive(7, 0); // the accepted streams are still held, and the connection is served
    }

    @Test
    void varyingTheHashAndChunkSizeCannotMultiplyTheScansOfARegion() throws Exception {
        RawPeer attacker = connect();
        attacker.handshake();
        HashAlgorithm[] hashes = HashAlgorithm.values();
        int[] chunkSizes = {4096, 8192, 16384, 32768, 65536};
        Map<Integer, Frame> answers = openPulls(attacker, hashes.length * chunkSizes.length,
                i -> hashes[i % hashes.length], i -> chunkSizes[i / hashes.length]);
        long accepted = answers.values().stream().filter(OpenOk.class::isInstance).count();
        assertTrue(accepted >= 1 && accepted <= 4, accepted + " parameter sets of one region accepted at once");
        assertTrue(answers.values().stream().anyMatch(f -> f instanceof Reset r
                && r.errorCode() == ErrorCode.REFUSED_STREAM && r.reason().contains("combinations")),
                attacker.summary());
        // Which sets were taken depends on when each scan started; a legitimate pull of one of them joins its scan.
        OpenOk taken = answers.values().stream().filter(OpenOk.class::isInstance).map(OpenOk.class::cast)
                .findFirst().orElseThrow();
        timedLegitimatePull(HashAlgorithm.fromWireId(taken.hashId()).orElseThrow(), taken.chunkSize());
    }

    @Test
    void streamsAreCappedOverAllConnections() throws Exception {
        List<RawPeer> attackers = new ArrayList<>();
        long accepted = 0;
        for (int c = 0; c < 3; c++) {
            RawPeer attacker = connect();
            attacker.handshake();
            attackers.add(attacker);
            // The small read-only region: tables of a few bytes, so only the stream cap can bite.
            Map<Integer, Frame> answers = openPulls(attacker, 30, "ro", 3 * CHUNK, i -> HASH, i -> CHUNK);
            accepted += answers.values().stream().filter(OpenOk.class::isInstance).count();
        }
        assertEquals(LIMITS.maxStreams(), accepted, "90 OPENs over three connections, " + LIMITS.maxStreams()
                + " streams in all");
        for (RawPeer attacker : attackers) {
            attacker.close();
        }
        assertServerHealthyWithin(Duration.ofSeconds(30)); // once the attackers are gone, their streams are given back
    }

    private Map<Integer, Frame> openPulls(RawPeer peer, int count, java.util.function.IntFunction<HashAlgorithm> hash,
                                          java.util.function.IntUnaryOperator chunkSize) throws Exception {
        return openPulls(peer, count, "big", BIG_SIZE, hash, chunkSize);
    }

    /** Sends {@code count} OPEN PULLs and reads until each has OPEN_OK or RESET (or the connection ends). */
    private Map<Integer, Frame> openPulls(RawPeer peer, int count, String region, long size,
                                          java.util.function.IntFunction<HashAlgorithm> hash,
                                          java.util.function.IntUnaryOperator chunkSize) throws Exception {
        for (int i = 0; i < count; i++) {
            peer.send(new Open(1 + 2 * i, Constants.ROLE_PULL, hash.apply(i).wireId(), chunkSize.applyAsInt(i), size,
                    region, false));
        }
        Map<Integer, Frame> answers = new HashMap<>();
        while (answers.size() < count) {
            Frame frame = peer.read();
            if (frame == null || frame instanceof GoAway) {
                break;
            }
            if (frame instanceof OpenOk || frame instanceof Reset) {
                answers.putIfAbsent(frame.streamId(), frame);
            }
        }
        return answers;
    }

    /** A well-behaved pull --once of the big region on its own connection: verified, identical; its time in ms. */
    private long timedLegitimatePull() throws Exception {
        return timedLegitimatePull(HASH, Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE);
    }

    private long timedLegitimatePull(HashAlgorithm hash, int chunkSize) throws Exception {
        Path replica = dir.resolve("legit-" + System.nanoTime() + ".bin");
        SyncOptions options = new SyncOptions(chunkSize, hash, Compression.ZSTD_DEFAULT,
                Duration.ZERO, true, false, 1);
        long start = System.nanoTime();
        try (SyncClient client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())) {
            SyncOutcome outcome = client.run(new SyncJob(SyncJob.Direction.PULL, replica, "big"), options,
                    SyncListener.SILENT);
            assertTrue(outcome.verified(), "a legitimate pull --once is verified");
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertArrayEquals(Files.readAllBytes(big), Files.readAllBytes(replica));
        Files.delete(replica);
        return millis;
    }

    /** RssAnon of this process, from /proc/self/status. */
    private static long anonymousRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
