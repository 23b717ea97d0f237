package dev.deltasync.sync.trust;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.FileSystemType;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A change time is racy for seconds: a write fault moves the times before its store lands, which may stall. */
class TrustStampTest {
    private static final long NOW = TimeUnit.SECONDS.toNanos(1_800_000_000L) + 123_456_789L;

    @Test
    void aChangeTwoSecondsAgoIsStillRacy() {
        assertTrue(changedAgo(TimeUnit.SECONDS.toNanos(2)).racyAt(NOW));
        assertFalse(changedAgo(TimeUnit.SECONDS.toNanos(5)).racyAt(NOW));
    }

    @Test
    void wholeSecondTimesGetASecondMore() {
        long whole = NOW - NOW % 1_000_000_000L - TimeUnit.SECONDS.toNanos(3);
        TrustStamp stamp = new TrustStamp(new FileIdentity(1, 2), 4096, whole, whole, FileSystemType.EXT4, "boot");
        assertTrue(stamp.racyAt(NOW));
        assertFalse(stamp.racyAt(whole + TimeUnit.SECONDS.toNanos(5)));
    }

    private static TrustStamp changedAgo(long nanos) {
        long at = NOW - nanos;
        return new TrustStamp(new FileIdentity(1, 2), 4096, at, at, FileSystemType.EXT4, "boot");
    }
}
