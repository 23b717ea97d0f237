package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.trust.TrustPass;
import dev.deltasync.sync.trust.TrustStamp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The background passes of a serve replica (PROTOCOL.md §9.7) do not pile up while a file's change is racy. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrustKeeperTest {
    private static final int CHUNK = 4096;
    private static final int SIZE = 16 * CHUNK;

    @TempDir
    Path dir;

    @Test
    void atMostOnePassWaitsPerReplica() throws Exception {
        Path replica = Files.write(dir.resolve("replica.bin"), new byte[SIZE]);
        ReplicaState.of(ReplicaState.Phase.VERIFIED, 1, new StreamParameters(HashAlgorithm.XXH3_128, CHUNK, SIZE),
                new byte[16]).write(replica);
        try (TrustKeeper keeper = new TrustKeeper(List.of(new ExposedRegion("vm", replica, false)),
                new SyncListener() { })) {
            for (int i = 0; i < 20; i++) {
                keeper.streamStarted(replica);
                keeper.streamEnded(replica);
            }
            // the keeper's thread turns each immediate pass into one that waits for the change time to settle
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline && TrustStamp.of(replica).racyAt(TrustPass.nowNanos())) {
                assertTrue(keeper.queuedTasks() <= 2, keeper.queuedTasks() + " tasks queued for one replica");
                Thread.sleep(10);
            }
        }
    }
}
