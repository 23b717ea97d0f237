package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.codec.Compression;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A link too slow for the changes: a continuous push under a 256 KiB/s cap, every 100 ms, of a region whose chunks
 * are all rewritten several times a second. The source says once that the replica falls behind (not once per slow
 * epoch), and once that it has caught up after the writes stop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowLinkTest extends LoopbackFixture {
    private static final int CHUNK = 4096;
    private static final int CHUNKS = 128; // 512 KiB: two seconds of link per full rewrite

    @Test
    void aSourceThatCannotKeepUpSaysSoOnceAndSaysWhenItCaughtUp() throws Exception {
        Path source = randomFile("source.bin", (long) CHUNKS * CHUNK, 1);
        serve(new ExposedRegion("vm", dir.resolve("replica.bin"), false));
        List<String> lines = new CopyOnWriteArrayList<>();
        List<Boolean> epochs = new CopyOnWriteArrayList<>();
        SyncListener listener = new SyncListener() {
            @Override
            public void epochCompleted(EpochReport epoch) {
                epochs.add(epoch.verified());
            }

            @Override
            public void info(String message) {
                lines.add(message);
            }
        };
        SyncOptions options = new SyncOptions(CHUNK, HashAlgorithm.XXH3_128, Compression.NONE, Duration.ofMillis(100),
                false, false, 1, RateLimit.of(256 * 1024));
        CompletableFuture<Void> push = CompletableFuture.runAsync(() -> {
            try {
                client.run(new SyncJob(Direction.PUSH, source, "vm"), options, listener);
            } catch (SyncException | InterruptedException e) {
                // ended by closing the client
            }
        });
        SyncEngineTest.waitUntil(() -> !epochs.isEmpty()); // the initial copy is not judged
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        SplittableRandom random = new SplittableRandom(2);
        try (FileChannel file = FileChannel.open(source, StandardOpenOption.WRITE)) {
            while (System.nanoTime() < until) {
                for (int i = 0; i < CHUNKS; i++) {
                    file.write(ByteBuffer.wrap(new byte[] {(byte) random.nextInt()}), (long) i * CHUNK);
                }
                Thread.sleep(200);
            }
        }
        SyncEngineTest.waitUntil(() -> lines.stream().anyMatch(l -> l.contains("caught up")));
        client.close();
        push.get(10, TimeUnit.SECONDS);

        List<String> behind = lines.stream().filter(l -> l.contains("cannot keep up")).toList();
        assertEquals(1, behind.size(), "one line when it starts falling behind, however many slow epochs: " + lines);
        assertTrue(behind.getFirst().startsWith("vm: epoch ") && behind.getFirst().contains("100 ms interval"),
                behind.getFirst());
        assertEquals(1, lines.stream().filter(l -> l.contains("caught up")).count(), lines.toString());
        assertTrue(epochs.size() >= 3, "several slow epochs went by: " + epochs.size());
    }
}
