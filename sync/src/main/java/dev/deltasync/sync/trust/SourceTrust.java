package dev.deltasync.sync.trust;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.PageCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;

/**
 * A source that trusts its own last scan (PROTOCOL.md §9.7): the table of a full scan that was a {@link TrustPass}
 * ended trusted is recorded for the next process that sends the same file, which then takes it instead of hashing
 * while the file's stamp is exactly the recorded one. A source file may be read-only and another user's, so the
 * records live in a state directory of this user's, one per file, named by its device and inode, with
 * {@link TrustFile}'s layout and rules (written 0600, read only if this user alone could have written it, replaced
 * under a lock only if unchanged since the pass began). One per stream: only its first scan may take a record;
 * every later scan (after a mismatch, say) hashes, and discards a record that still holds but differs from it.
 */
public final class SourceTrust {
    private static final String SUFFIX = ".deltasync-trust";

    private final Path dir;
    private final boolean verify;
    private boolean firstScan = true;
    /** The table of the last scan that was a trusted pass, to be recorded, and where. */
    private TrustedTable passed;
    private Path passedRecord;
    private TrustFile.Version passedOver;

    /**
     * @param dir    where the records are kept
     * @param verify hash even the first scan, whatever is recorded ({@code --verify}); a record that still holds but
     *               differs from the bytes is then discarded
     */
    public SourceTrust(Path dir, boolean verify) {
        this.dir = dir;
        this.verify = verify;
    }

    /** The record for the file of {@code file}'s identity in {@code dir}. */
    static Path recordIn(Path dir, FileIdentity file) {
        return dir.resolve(Long.toHexString(file.device()) + "-" + Long.toHexString(file.inode()) + SUFFIX);
    }

    /**
     * Fills {@code into}, a fresh table of {@code region}: from the record when this is the stream's first scan,
     * a record of this geometry holds for the file as it is now and cachestat counts no page of it dirty or under
     * writeback (nothing is hashed: 0 is returned; a dirty page discards the record), else by
     * {@code hashing} made a trust pass. Returns the bytes hashed.
     */
    public long scan(MappedRegion region, DigestTable into, TrustPass.Hashing hashing)
            throws IOException, InterruptedException {
        boolean first = firstScan;
        firstScan = false;
        passed = null;
        Optional<FileIdentity> file = region.identity();
        if (file.isEmpty() || region.path() == null) {
            return hashing.hashAll();
        }
        Path record = recordIn(dir, file.get());
        Optional<TrustedTable> recorded = recorded(record, region, into);
        if (first && recorded.isPresent() && !verify) {
            if (PageCache.of(region.path()).filter(c -> c.clean() && c.file().equals(file.get())).isPresent()) {
                into.copyFrom(recorded.get().table());
                return 0;
            }
            // its pass found no page dirty, so one dirty now under the same stamp is a write that moved no time
            TrustFile.discardAt(record);
            recorded = Optional.empty();
        }
        TrustFile.Version seen = TrustFile.versionAt(record);
        TrustPass.Outcome outcome = TrustPass.around(region, hashing);
        if (recorded.isPresent() && !Arrays.equals(recorded.get().table().rootDigest(), into.rootDigest())) {
            // any full hash, not only --verify's: it held, and the bytes differ: whatever made it is not believed
            TrustFile.discardAt(record);
        } else if (outcome.trusted()) {
            passed = new TrustedTable(into.copy(), outcome.stamp().get());
            passedRecord = record;
            passedOver = seen;
        }
        return outcome.hashedBytes();
    }

    /** The record at {@code record} if it is of this file and geometry and its stamp holds now. */
    private static Optional<TrustedTable> recorded(Path record, MappedRegion region, DigestTable like) {
        return TrustFile.readAt(record, like.algorithm(), like.chunkSize(), like.regionSize())
                .filter(t -> t.fits(like) && t.stamp().file().equals(region.identity().get())
                        && t.stamp().size() == region.size() && t.holdsFor(region.path()));
    }

    /**
     * Records the table of the last scan if it was a trusted pass, once the stream is done with it; a failure only
     * costs the next process a hash.
     */
    public void keep() {
        if (passed == null) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            TrustFile.writeIfUnchangedAt(passedRecord, passedOver, passed);
        } catch (IOException | RuntimeException e) {
            // not recorded: the next push hashes
        } finally {
            passed = null;
        }
    }
}
