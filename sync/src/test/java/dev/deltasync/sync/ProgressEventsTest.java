package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.SyncJob.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a progress display is told: the hashing of our own side, then the epoch's chunks, all the way to the end. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProgressEventsTest {
    private static final long SIZE = (12L << 20) + 4096 + 100; // several scanner batches, a short last chunk

    @TempDir
    Path dir;

    /** Every event, in order. */
    static final class Recorder implements SyncListener {
        final List<long[]> hashing = new CopyOnWriteArrayList<>();
        final List<long[]> sent = new CopyOnWriteArrayList<>();
        final List<long[]> received = new CopyOnWriteArrayList<>();
        final List<Side> sides = new CopyOnWriteArrayList<>();

        @Override
        public void hashing(String region, Side side, long done, long total) {
            sides.add(side);
            hashing.add(new long[] {done, total});
        }

        @Override
        public void progress(String region, long epoch, long done, long total) {
            sent.add(new long[] {epoch, done, total});
        }

        @Override
        public void received(String region, long epoch, long received, long through, long regionSize) {
            this.received.add(new long[] {epoch, received, through, regionSize});
        }
    }

    private static void assertGrowsTo(List<long[]> events, int done, int total, long end) {
        assertTrue(!events.isEmpty(), "no events");
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i)[done] > events.get(i - 1)[done], "not growing at event " + i);
        }
        long[] last = events.getLast();
        assertEquals(end, last[done]);
        assertEquals(end, last[total]);
    }

    @Test
    void aPushReportsHashingTheSourceThenEverySentByteOfAFreshReplica() throws Exception {
        byte[] bytes = new byte[(int) SIZE];
        new SplittableRandom(5).nextBytes(bytes);
        Path source = Files.write(dir.resolve("source.bin"), bytes);
        Recorder events = new Recorder();
        try (SyncServer server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("in", dir.resolve("r.bin"),
                false)), ServerOptions.defaults(), SyncListener.SILENT);
             SyncClient client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())) {
            assertTrue(client.run(new SyncJob(Direction.PUSH, source, "in"), SyncOptions.defaults().once(true),
                    events).verified());
        }
        assertTrue(events.sides.stream().allMatch(s -> s == SyncListener.Side.SOURCE), events.sides.toString());
        assertGrowsTo(events.hashing, 0, 1, SIZE);
        assertGrowsTo(events.sent, 1, 2, SIZE);
        assertTrue(events.received.isEmpty());
    }

    @Test
    void aPullReportsHashingTheReplicaThenHowFarTheEpochHasCome() throws Exception {
        byte[] bytes = new byte[(int) SIZE];
        new SplittableRandom(6).nextBytes(bytes);
        Path source = Files.write(dir.resolve("source.bin"), bytes);
        Path replica = Files.write(dir.resolve("replica.bin"), new byte[(int) SIZE]);
        Recorder events = new Recorder();
        try (SyncServer server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("out", source, true)),
                ServerOptions.defaults(), SyncListener.SILENT);
             SyncClient client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())) {
            assertTrue(client.run(new SyncJob(Direction.PULL, replica, "out"), SyncOptions.defaults().once(true),
                    events).verified());
        }
        assertTrue(events.sides.stream().allMatch(s -> s == SyncListener.Side.REPLICA), events.sides.toString());
        assertGrowsTo(events.hashing, 0, 1, SIZE);
        assertGrowsTo(events.received, 2, 3, SIZE);
        assertEquals(SIZE, events.received.getLast()[1], "every byte of a zeroed replica was received");
        assertTrue(events.sent.isEmpty());
    }
}
