package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pull's interval (OPEN intervalMillis, PROTOCOL.md §9.4): the server sends epochs no more often than
 * the larger of its own interval and the one the pull asks for. A writer changes the source all the time, so every
 * epoch carries chunks. The bound is one no load can break: the server begins each scan one interval after the one
 * before began, and an epoch's last chunk is written before its EPOCH_ACK, so before the next scan begins; so from
 * epoch a's last chunk to epoch b's first lie at least b - a - 1 intervals. (A scan begins one interval after the
 * previous one began, not after the ACK, so consecutive epochs may come closer when the replica was slow: only
 * the span over several epochs shows the pace.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PullPaceTest extends LoopbackFixture {
    private static final int CHUNK = 65536;
    private static final int EPOCHS = 4;

    @Test
    void aPullThatAsksForEpochsLessOftenGetsThemLessOften() throws Exception {
        assertPaced(Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofMillis(800));
    }

    @Test
    void aPullCannotHaveEpochsMoreOftenThanTheServersInterval() throws Exception {
        assertPaced(Duration.ofMillis(600), Duration.ofMillis(10), Duration.ofMillis(600));
    }

    /** Runs a continuous pull while the source keeps changing; between its epochs' chunks lies at least {@code pace}. */
    private void assertPaced(Duration serverInterval, Duration asked, Duration pace) throws Exception {
        Path source = randomFile("source.bin", 16 * CHUNK, 1);
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("vm", source, true)),
                new ServerOptions(serverInterval, Compression.ZSTD_DEFAULT, 1, Security.insecure()), SyncListener.SILENT);
        client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure());
        List<Long> completed = new CopyOnWriteArrayList<>();
        Map<Long, long[]> writes = new ConcurrentHashMap<>(); // epoch -> when its first and last chunk were written
        SyncListener listener = new SyncListener() {
            @Override
            public void received(String region, long epoch, long received, long through, long regionSize) {
                long now = System.nanoTime();
                writes.merge(epoch, new long[] {now, now}, (was, next) -> new long[] {was[0], now});
            }

            @Override
            public void epochCompleted(EpochReport epoch) {
                completed.add(System.nanoTime());
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
            SyncEngineTest.waitUntil(() -> completed.size() >= EPOCHS + 1);
        } finally {
            writer.interrupt();
            client.close();
            puller.join();
            writer.join();
        }
        List<Long> epochs = writes.keySet().stream().filter(e -> e <= EPOCHS + 1).sorted().toList();
        assertTrue(epochs.size() >= 3, "the writer's changes reached the replica in epochs " + epochs);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < epochs.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(writes.get(epochs.get(i))[0] - writes.get(epochs.get(i - 1))[1]));
        }
        long first = epochs.getFirst();
        long last = epochs.getLast();
        long span = writes.get(last)[0] - writes.get(first)[1];
        assertTrue(span >= (last - first - 1) * pace.toNanos(), "epoch " + last + "'s first chunk came "
                + TimeUnit.NANOSECONDS.toMillis(span) + " ms after epoch " + first + "'s last, at a pace of "
                + pace.toMillis() + " ms (server " + serverInterval.toMillis() + ", pull asks " + asked.toMillis() + ")");
        System.out.println("PullPaceTest: server " + serverInterval.toMillis() + " ms, pull asks " + asked.toMillis()
                + " ms: from one epoch's last chunk to the next one's first " + gaps + " ms");
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
