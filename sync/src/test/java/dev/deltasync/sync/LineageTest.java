package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.SyncJob.Direction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Epochs numbered per region lineage, the source time of the last verified epoch, and the lag derived from it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LineageTest extends LoopbackFixture {
    private final List<EpochReport> reports = new CopyOnWriteArrayList<>();
    private final SyncListener recorder = new SyncListener() {
        @Override
        public void epochCompleted(EpochReport epoch) {
            reports.add(epoch);
        }
    };

    @Test
    void aVerifiedEpochCarriesTheSourcesScanTimeAndTheLagSinceThen() throws Exception {
        Path source = randomFile("source.bin", 5 * 4096 + 11, 1);
        Path replica = randomFile("replica.bin", 5 * 4096 + 11, 2);
        serve(new ExposedRegion("vm", replica, false));
        Instant before = Instant.now();
        client.run(new SyncJob(Direction.PUSH, source, "vm"), SyncOptions.defaults().once(true), recorder);
        Instant after = Instant.now();

        EpochReport epoch = reports.getLast();
        assertEquals(SyncListener.Side.SOURCE, epoch.side());
        assertTrue(epoch.verified());
        assertEquals(epoch.epoch(), epoch.verifiedEpoch());
        Instant scanned = epoch.verifiedSourceTime().orElseThrow();
        assertFalse(scanned.isBefore(before), scanned + " is before the push started at " + before);
        assertFalse(scanned.isAfter(after), scanned + " is after the push ended at " + after);
        Duration lag = epoch.lagAt(after).orElseThrow();
        assertFalse(lag.isNegative(), "lag " + lag);
        assertTrue(lag.compareTo(Duration.between(before, after)) <= 0, "lag " + lag);
    }
}
