package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --max-rate}: 12 MiB of random bytes under a 4 MiB/s cap cannot move faster than the cap allows
 * (lower bounds only: a slow machine makes them longer, never shorter), and the data still arrives intact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitTest extends LoopbackFixture {
    private static final int CHUNK = 65536;
    private static final long SIZE = 12L << 20;
    private static final long RATE = 4L << 20;

    @Test
    void aCappedPushSendsNoFasterThanTheCap() throws Exception {
        assertClientCapped(Direction.PUSH);
    }

    /** On the wire the server may run ahead by the stream's window, but the replica takes every frame through the cap. */
    @Test
    void aCappedPullHoldsTheServerBackThroughFlowControl() throws Exception {
        assertClientCapped(Direction.PULL);
    }

    @Test
    void aServersCapCoversWhatItSendsToPullers() throws Exception {
        Path source = randomFile("source.bin", SIZE, 3);
        Path replica = dir.resolve("replica.bin");
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("vm", source, true)),
                new ServerOptions(Duration.ofSeconds(1), Compression.NONE, 1, Security.insecure(), RateLimit.of(RATE)),
                SyncListener.SILENT);
        client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure());
        long millis = timed(() -> client.run(new SyncJob(Direction.PULL, replica, "vm"),
                options(RateLimit.UNLIMITED), SyncListener.SILENT));
        assertCapHeld("pull from a server capped", millis, source, replica);
    }

    private void assertClientCapped(Direction direction) throws Exception {
        boolean push = direction == Direction.PUSH;
        Path source = randomFile("source.bin", SIZE, push ? 1 : 2);
        Path replica = dir.resolve("replica.bin");
        serve(new ExposedRegion("vm", push ? replica : source, !push));
        long millis = timed(() -> client.run(new SyncJob(direction, push ? source : replica, "vm"),
                options(RateLimit.of(RATE)), SyncListener.SILENT));
        assertCapHeld(direction + " capped", millis, source, replica);
    }

    /** The replica is intact and 12 MiB took at least as long as the cap demands, less the bucket's burst. */
    private static void assertCapHeld(String what, long millis, Path source, Path replica) throws Exception {
        assertEquals(-1, Files.mismatch(source, replica), "replica differs from source");
        long least = (SIZE - RateLimit.BURST) * 1000 / RATE;
        System.out.println("RateLimitTest: " + what + " at 4 MiB/s: 12 MiB took " + millis + " ms (at least " + least + ")");
        assertTrue(millis >= least, what + ": 12 MiB at 4 MiB/s in " + millis + " ms");
    }

    @Test
    void zeroMeansNoCapAndANegativeRateIsRefused() {
        assertSame(RateLimit.UNLIMITED, RateLimit.of(0));
        assertEquals(0, RateLimit.UNLIMITED.bytesPerSecond());
        assertThrows(IllegalArgumentException.class, () -> RateLimit.of(-1));
    }

    private static SyncOptions options(RateLimit rateLimit) {
        return new SyncOptions(CHUNK, HashAlgorithm.XXH3_128, Compression.NONE, Duration.ofSeconds(1), true, false, 1,
                rateLimit);
    }

    @FunctionalInterface
    private interface Sync {
        SyncOutcome run() throws Exception;
    }

    private static long timed(Sync sync) throws Exception {
        long start = System.nanoTime();
        assertTrue(sync.run().verified(), "not verified");
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
