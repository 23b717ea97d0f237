package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustPass;
import dev.deltasync.sync.trust.TrustStamp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An operator's discard of the trusted table ({@code status --verify}) sticks: a stream whose start was a trust
 * pass, still running when the discard happens, does not record its table at its end (PROTOCOL.md §9.7).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrustDiscardSticksTest extends LoopbackFixture {
    private static final int CHUNK = 4096;
    private static final int SIZE = 256 * CHUNK;

    @Test
    void anOperatorsDiscardDuringAStreamDoesNotStick() throws Exception {
        Path source = randomFile("source.bin", SIZE, 4);
        Path local = dir.resolve("local.bin");
        Files.copy(source, local);
        while (TrustStamp.of(local).racyAt(TrustPass.nowNanos())) {
            Thread.sleep(20);
        }
        serve(new ExposedRegion("vm", source, true));
        CountDownLatch verified = new CountDownLatch(1);
        SyncListener listener = new SyncListener() {
            @Override
            public void epochCompleted(EpochReport epoch) {
                if (epoch.verified()) {
                    verified.countDown();
                }
            }
        };
        Thread pull = Thread.ofPlatform().start(() -> {
            try {
                client.run(new SyncJob(Direction.PULL, local, "vm"), SyncOptions.defaults().withChunkSize(CHUNK),
                        listener);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(verified.await(60, TimeUnit.SECONDS));
        TrustFile.discard(local); // what `status --verify` does (StatusCommand)
        TrustFile.Version discarded = TrustFile.version(local);
        client.stop();
        pull.join(30_000);
        assertEquals(discarded, TrustFile.version(local),
                "the running stream re-recorded the table after the operator's full check discarded it");
    }
}
