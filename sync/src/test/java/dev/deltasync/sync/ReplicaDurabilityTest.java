package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.SyncJob.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a replica's epoch costs in durability: an msync of what it wrote (none for nothing), and its state writes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicaDurabilityTest extends LoopbackFixture {
    private static final int CHUNK = 65536;

    private static SyncOptions once() {
        return SyncOptions.defaults().withChunkSize(CHUNK).once(true);
    }

    @Test
    void anEpochThatWritesChunksMsyncsOnceAndOneThatWritesNothingNotAtAll() throws Exception {
        Path source = randomFile("source.bin", 64L * CHUNK, 1);
        Path replica = dir.resolve("replica.bin");
        Files.copy(source, replica);
        serve(new ExposedRegion("vm", source, true));

        SyncOutcome unchanged = client.run(new SyncJob(Direction.PULL, replica, "vm"), once(), SyncListener.SILENT);
        assertTrue(unchanged.verified());
        assertEquals(0, unchanged.stats().flushes(), "nothing written, nothing to msync");
        assertEquals(1, unchanged.stats().stateWrites(), "only VERIFIED");

        byte[] bytes = Files.readAllBytes(source);
        bytes[3 * CHUNK + 1] ^= 1;
        bytes[60 * CHUNK] ^= 1;
        Files.write(replica, Files.readAllBytes(source));
        Files.write(source, bytes);
        // the server maps the source afresh per stream; the replica still holds the old bytes
        SyncOutcome changed = client.run(new SyncJob(Direction.PULL, replica, "vm"), once(), SyncListener.SILENT);
        assertTrue(changed.verified());
        assertEquals(2, changed.stats().chunksChanged());
        assertEquals(1, changed.stats().flushes(), "one msync over the span the epoch wrote");
        assertEquals(2, changed.stats().stateWrites(), "APPLYING before the first byte, then VERIFIED");
        assertTrue(changed.stats().flushNanos() > 0 && changed.stats().stateWriteNanos() > 0);
        assertEquals(-1, Files.mismatch(source, replica));
    }
}
