package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.mux.MuxConfig;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pull's interval (OPEN intervalMillis, PROTOCOL.md §9.4): the server sends epochs no more often than
 * the larger of its own interval and the one the pull asks for. A writer changes the source all the time,
 * so every gap between epochs is the pace (plus work): the checks are lower bounds only. They bound the mean gap
 * over several epochs, not the shortest: one epoch that arrives late (a busy machine) makes the next gap short by
 * as much, without the pace being any faster.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PullPaceTest extends LoopbackFixture {
    private static final int CHUNK = 65536;
    private static final int EPOCHS = 4;

    @Test
    void aPullThatAsksForEpochsLessOftenGetsThemLessOften() throws Exception {
        long mean = meanGapMillis(Duration.ofMillis(100), Duration.ofMillis(800));
        assertTrue(mean >= 640, "a pull asking for 800 ms got epochs " + mean + " ms apart on average");
    }

    @Test
    void aPullCannotHaveEpochsMoreOftenThanTheServersInterval() throws Exception {
        long mean = meanGapMillis(Duration.ofMillis(600), Duration.ofMillis(10));
        assertTrue(mean >= 480, "a server at 600 ms sent epochs " + mean + " ms apart on average");
    }

    /** The mean time between consecutive epochs a continuous pull saw, while the source kept changing. */
    private long meanGapMillis(Duration serverInterval, Duration asked) throws Exception {
        Path source = randomFile("source.bin", 16 * CHUNK, 1);
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("vm", source, true)),
                new ServerOptions(serverInterval, Compression.ZSTD_DEFAULT, 1, MuxConfig.defaults()), SyncListener.SILENT);
        client = SyncClient.connect("127.0.0.1", server.port(), MuxConfig.defaults());
        List<Long> epochNanos = new CopyOnWriteArrayList<>();
        SyncListener listener = new SyncListener() {
            @Override
            public void epochCompleted(EpochReport epoch) {
                epochNanos.add(System.nanoTime());
            }
        };
        SyncOptions pull = new SyncOptions(CHUNK, HashAlgorithm.XXH3_128, Compression.ZSTD_DEFAULT, asked, false,
                false, 1);
        Thread writer = Thread.ofVirtual().start(() -> keepWriting(source));
        Thread puller = Thread.ofVirtual().start(() -> {
            try {
                client.run(new SyncJob(Direction.PULL, dir.resolve("replica.bin"), "vm"), pull, listener);
            } catch (SyncException | InterruptedException e) {
                // ended by the client's close below
            }
        });
        try {
            SyncEngineTest.waitUntil(() -> epochNanos.size() >= EPOCHS + 1);
        } finally {
            writer.interrupt();
            client.close();
            puller.join();
            writer.join();
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i <= EPOCHS; i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(epochNanos.get(i) - epochNanos.get(i - 1)));
        }
        System.out.println("PullPaceTest: server " + serverInterval.toMillis() + " ms, pull asks " + asked.toMillis()
                + " ms: gaps between epochs " + gaps + " ms");
        return TimeUnit.NANOSECONDS.toMillis(epochNanos.get(EPOCHS) - epochNanos.get(0)) / EPOCHS;
    }

    /** Rewrites a random chunk's first bytes every 20 ms until interrupted. */
    private static void keepWriting(Path file) {
        SplittableRandom random = new SplittableRandom(2);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (!Thread.currentThread().isInterrupted()) {
                byte[] bytes = new byte[8];
                random.nextBytes(bytes);
                channel.write(ByteBuffer.wrap(bytes), (long) random.nextInt(16) * CHUNK);
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            // done
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
