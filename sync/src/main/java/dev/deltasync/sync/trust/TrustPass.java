package dev.deltasync.sync.trust;

import com.sun.nio.file.ExtendedOpenOption;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.region.DirectAccess;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.OpenWriters;
import dev.deltasync.sync.region.PageCache;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * The one way a replica or a source comes to trust a table (PROTOCOL.md §9.7): a full read-and-hash pass of its
 * region with no writer in between, shown by equal {@link TrustStamp}s around it.
 *
 * <ol>
 *   <li>Note the time, then find that no process has the file open for writing ({@link OpenWriters}): an
 *       {@code O_DIRECT} overwrite in flight moved the times before, dirties no page and lands later with no time
 *       update, and only its descriptor shows it. A region this process maps writable (a replica's stream) was
 *       probed, and the time noted, just before it was opened for writing. Then take the first stamp. Refuse a file
 *       system not on the trusted list, an unknown boot, and a change time within the margin of the noted time
 *       ("racy": a write in the same clock tick could leave it as it is; a writer that opened after the probe
 *       moved it to that time or later).</li>
 *   <li>Read one block with {@code O_DIRECT}: on ext4, xfs and btrfs that waits for a buffered {@code write(2)}
 *       still copying (it holds the inode lock from before it moved the times until its last byte), so no write
 *       that moved the times before the first stamp is still writing during the hash.</li>
 *   <li>A replica: {@code fdatasync}, so every dirty page is written back and write-protected in every mapping.
 *       Both: {@code cachestat} must then count no page dirty and none under writeback, so every page is
 *       write-protected in every mapping and the next write through any of them faults and moves the times (a
 *       write into a page a mapping holds dirty and writable moves none); where the kernel cannot tell, nothing is
 *       trusted. A page dirtied before the stamp and written since is read by the hash that follows.</li>
 *   <li>Hash the whole region (holes read as zeros), then take the second stamp. Equal stamps: the table is
 *       trusted, for exactly that stamp.</li>
 * </ol>
 * Any own write afterwards moves the times, so the stamp no longer matches and the table is not trusted until the
 * next pass.
 */
public final class TrustPass {
    private TrustPass() {}

    /**
     * How a pass ended.
     *
     * @param stamp     the stamp the table is trusted for; empty when it is not trusted
     * @param whyNot    why not, for a log line (empty when trusted)
     * @param settledAt when the file's change time stops being racy (Unix nanoseconds): a pass refused as racy
     *                  may be tried again from then
     * @param hashedBytes the bytes read and hashed (holes are not read)
     */
    public record Outcome(Optional<TrustStamp> stamp, String whyNot, long settledAt, long hashedBytes) {
        static Outcome refused(String why, long settledAt, long hashedBytes) {
            return new Outcome(Optional.empty(), why, settledAt, hashedBytes);
        }

        public boolean trusted() {
            return stamp.isPresent();
        }
    }

    /** A full hash of the region into a table; the bytes hashed (holes are not read). */
    @FunctionalInterface
    public interface Hashing {
        long hashAll() throws IOException, InterruptedException;
    }

    /**
     * A replica's pass: hashes the whole of {@code region} into {@code into}, always (the table is right even when
     * it is not trusted: it is what a plain re-hash would give), and says whether it may be trusted. Writes the
     * file's dirty pages back first, so a replica's own writes of the last epoch do not keep it from trusting.
     */
    public static Outcome hash(MappedRegion region, DigestTable into, ParallelScanner scanner, LongConsumer hashed)
            throws IOException {
        try {
            return pass(region, true, () -> scanner.scan(region.segment(), into, region.knownZeros(), hashed));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing", e);
        }
    }

    /**
     * A source's pass around {@code hashing}, a full hash of {@code region}: as a replica's, but it writes nothing
     * back (a source's file may be another user's, and writeback costs its disk): a file with a page not yet
     * written back is not trusted, and the next pass may find it clean.
     */
    public static Outcome around(MappedRegion region, Hashing hashing) throws IOException, InterruptedException {
        return pass(region, false, hashing);
    }

    private static Outcome pass(MappedRegion region, boolean writeBack, Hashing hashing)
            throws IOException, InterruptedException {
        Path path = region.path();
        // a region this process maps writable hides any other writer from a probe now: the one made before its open
        Optional<OpenWriters.NoneAt> noWriter = region.writable() ? region.noWriterBeforeOpen()
                : OpenWriters.probe(path);
        long started = noWriter.map(OpenWriters.NoneAt::atNanos).orElseGet(TrustPass::nowNanos);
        TrustStamp before = TrustStamp.of(path);
        Optional<String> refusal = refusal(region, before, started);
        if (refusal.isEmpty() && noWriter.filter(n -> n.file().equals(before.file())).isEmpty()) {
            refusal = Optional.of("another process may have it open for writing (the kernel granted no read lease)");
        }
        if (refusal.isEmpty()) {
            try {
                waitForWriters(path, before.size(), writeBack);
                refusal = dirtyPages(path, before);
            } catch (IOException | UnsupportedOperationException e) {
                refusal = Optional.of("its file cannot be read directly or flushed: " + e.getMessage());
            }
        }
        region.checkIntact();
        long bytes = hashing.hashAll();
        if (refusal.isPresent()) {
            return Outcome.refused(refusal.get(), before.settledAt(), bytes);
        }
        TrustStamp after = TrustStamp.of(path);
        return after.equals(before) ? new Outcome(Optional.of(before), "", before.settledAt(), bytes)
                : Outcome.refused("its file changed while it was hashed", after.settledAt(), bytes);
    }

    /**
     * Why the pass cannot be trusted for the file's pages: a page dirty or under writeback may be writable in some
     * mapping, whose next write into it moves no time; and where {@code cachestat} cannot tell, nothing is trusted.
     */
    private static Optional<String> dirtyPages(Path path, TrustStamp stamp) {
        Optional<PageCache.Counts> counts = PageCache.of(path);
        if (counts.isEmpty() || !counts.get().file().equals(stamp.file())) {
            return Optional.of("the kernel cannot tell whether its pages are all written back (cachestat, Linux 6.5)");
        }
        if (!counts.get().clean()) {
            return Optional.of("it has pages not yet written back (" + counts.get().dirty() + " dirty, "
                    + counts.get().writeback() + " under writeback): a write into them through a mapping would move"
                    + " no file time");
        }
        return Optional.empty();
    }

    private static Optional<String> refusal(MappedRegion region, TrustStamp stamp, long now) {
        if (region.identity().isPresent() && !region.identity().get().equals(stamp.file())) {
            return Optional.of("its path names another file than the one mapped");
        }
        if (stamp.size() != region.size()) {
            return Optional.of("its file is not the mapped size");
        }
        if (!stamp.trustedFileSystem()) {
            return Optional.of("its file system (statfs type 0x" + Long.toHexString(stamp.fileSystem())
                    + ") is not one whose file times follow every write");
        }
        if (!DirectAccess.of(region.path()).equals(Optional.of(false))) {
            return Optional.of("its file is in DAX mode, or the kernel cannot tell (statx): cachestat cannot show"
                    + " a page a mapping holds writable");
        }
        if (!stamp.thisBoot()) {
            return Optional.of("the kernel tells no boot id");
        }
        if (stamp.racyAt(now)) {
            return Optional.of("its file changed too recently (within the file times' granularity)");
        }
        return Optional.empty();
    }

    /** Step 2 and 3 of the pass: an O_DIRECT read of the first block, then fdatasync if {@code writeBack}. */
    private static void waitForWriters(Path path, long size, boolean writeBack) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS, ExtendedOpenOption.DIRECT);
        try (FileChannel channel = FileChannel.open(path, options)) {
            if (size > 0) {
                int block = (int) Files.getFileStore(path).getBlockSize();
                ByteBuffer buffer = ByteBuffer.allocateDirect(2 * block).alignedSlice(block);
                channel.read(buffer, 0);
            }
            if (writeBack) {
                channel.force(false);
            }
        }
    }

    /** The realtime clock, which file times are taken from, in Unix nanoseconds. */
    public static long nowNanos() {
        return OpenWriters.nowNanos();
    }
}
