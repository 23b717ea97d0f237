package dev.deltasync.sync.trust;

import dev.deltasync.hashing.DigestTable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A replica's digest table that a {@link TrustPass} established, with the stamp it holds for: while the file's
 * stamp is exactly that one (same boot, same file system), the table describes the file's bytes without reading
 * them. The table is the caller's to copy, never to change.
 */
public record TrustedTable(DigestTable table, TrustStamp stamp) {
    /** True when the file at {@code path} still has exactly the stamp the table was trusted for, in this boot. */
    public boolean holdsFor(Path path) {
        try {
            return stamp.thisBoot() && stamp.trustedFileSystem() && TrustStamp.of(path).equals(stamp);
        } catch (IOException e) {
            return false;
        }
    }

    /** True when the table has the geometry and hash of a stream's table {@code like}. */
    public boolean fits(DigestTable like) {
        return table.algorithm() == like.algorithm() && table.chunkSize() == like.chunkSize()
                && table.regionSize() == like.regionSize();
    }
}
