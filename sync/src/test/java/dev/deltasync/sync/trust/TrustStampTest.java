package dev.deltasync.sync.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.FileSystemType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change time is racy for seconds (a write fault moves the times before its store lands, which may stall), and
 * ext4's magic counts only where the ext4 driver mounted the file system.
 */
class TrustStampTest {
    @TempDir
    Path dir;

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

    @Test
    void ext4sMagicCountsOnlyWhereTheExt4DriverMountedIt() throws Exception {
        long noBlockDevice = 4095; // major 0, minor 4095: no /sys/dev/block entry, so no /sys/fs/ext4 one
        assertFalse(new TrustStamp(new FileIdentity(noBlockDevice, 2), 4096, NOW, NOW, FileSystemType.EXT4, "boot")
                .trustedFileSystem(), "the legacy ext2 driver shares ext4's f_type");
        Path file = Files.write(dir.resolve("f"), new byte[1]);
        TrustStamp real = TrustStamp.of(file);
        if (real.fileSystem() == FileSystemType.EXT4) {
            assertEquals(Files.isDirectory(Path.of("/sys/fs/ext4")), real.trustedFileSystem());
        }
    }

    private static TrustStamp changedAgo(long nanos) {
        long at = NOW - nanos;
        return new TrustStamp(new FileIdentity(1, 2), 4096, at, at, FileSystemType.EXT4, "boot");
    }
}
