package dev.deltasync.sync.trust;

import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.FileSystemType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a trusted table is tied to (PROTOCOL.md §9.7): the file (device, inode), its size, its modification and
 * change times in nanoseconds, the file system it is on and the boot it was seen in. Two equal stamps taken around
 * a full pass with the file's pages written back first mean no write reached the file in between, on the file
 * systems {@link #trustedFileSystem} admits and when the change time is not {@link #racyAt racy}.
 *
 * @param bootId the kernel's boot id; a reboot (a crash that may have lost a time update whose data survived)
 *               changes it
 */
public record TrustStamp(FileIdentity file, long size, long modifiedNanos, long changedNanos, long fileSystem,
                         String bootId) {
    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    /**
     * File systems on which every write moves the change time when it happens, through a system call or through a
     * shared mapping (whose written-back pages are write-protected, so the next write faults and updates the
     * times): ext2/3/4, xfs, btrfs. Not tmpfs or ramfs: nothing ever write-protects their mapped pages, so a page
     * once written through a mapping takes later writes without any time moving. Not f2fs, NFS, CIFS, FUSE, ZFS:
     * unverified, or times set at writeback.
     */
    private static final Set<Long> TRUSTED_FILE_SYSTEMS = Set.of(FileSystemType.EXT4, FileSystemType.XFS,
            FileSystemType.BTRFS);
    /**
     * File times are taken from a clock that ticks at least every 10 ms (HZ >= 100), but a write through a mapping
     * moves them at the start of its write fault, and its store can land much later (the fault may wait for a
     * journal start, a page lock, an allocation): seconds, not ticks.
     */
    static final long FINE_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** A file system that keeps whole seconds (ext2/3/4 with 128-byte inodes): a second more. */
    static final long COARSE_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(4);

    /** The stamp of the file at {@code path} now, not following a symlink there. */
    public static TrustStamp of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return new TrustStamp(FileIdentity.of(a), (Long) a.get("size"),
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                FileSystemType.of(path), currentBootId().orElse(""));
    }

    private static long nanos(FileTime time) {
        return time.to(TimeUnit.NANOSECONDS);
    }

    /** This boot's id, or empty where the kernel does not say (then nothing is trusted). */
    static Optional<String> currentBootId() {
        try {
            String id = new String(Files.readAllBytes(BOOT_ID), StandardCharsets.US_ASCII).trim();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True when the file system is one whose file times follow every write ({@link #TRUSTED_FILE_SYSTEMS}). */
    public boolean trustedFileSystem() {
        return TRUSTED_FILE_SYSTEMS.contains(fileSystem)
                && (fileSystem != FileSystemType.EXT4 || mountedByTheExt4Driver(file));
    }

    /**
     * f_type 0xEF53 is also the legacy ext2 driver's, whose {@code O_DIRECT} read takes no inode lock: only the
     * ext4 driver creates {@code /sys/fs/ext4/<block device>}.
     */
    static boolean mountedByTheExt4Driver(FileIdentity file) {
        try {
            Path block = Path.of("/sys/dev/block/" + file.major() + ":" + file.minor()).toRealPath();
            return Files.isDirectory(Path.of("/sys/fs/ext4").resolve(block.getFileName().toString()));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * True when a write at or after {@code nowNanos} (Unix time) could leave the change time as it is: it is within
     * the margin of the file system's time granularity plus a clock tick (a change time with no sub-second part is
     * taken to come from a file system that keeps whole seconds).
     */
    public boolean racyAt(long nowNanos) {
        return changedNanos + margin() >= nowNanos;
    }

    /** The first moment (Unix nanoseconds) at which the change time is no longer racy. */
    public long settledAt() {
        return changedNanos + margin() + 1;
    }

    private long margin() {
        boolean wholeSeconds = changedNanos % 1_000_000_000L == 0 && modifiedNanos % 1_000_000_000L == 0;
        return wholeSeconds ? COARSE_MARGIN_NANOS : FINE_MARGIN_NANOS;
    }

    /** True when this is the stamp of the running boot (and the kernel told a boot id at all). */
    public boolean thisBoot() {
        return !bootId.isEmpty() && currentBootId().map(bootId::equals).orElse(false);
    }
}
