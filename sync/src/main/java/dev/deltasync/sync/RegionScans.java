package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.time.Duration;

/**
 * Scans of one source region, shared by every stream that replicates it: a scan younger than the
 * server's interval is handed out again, so scan cost does not grow with the number of pullers
 * (however slowly each asks to be paced). Each scan yields a fresh table that is never modified
 * afterwards, so callers may keep it.
 */
final class RegionScans implements AutoCloseable {
    private final MappedRegion region;
    private final StreamParameters parameters;
    private final ParallelScanner scanner;
    private final Duration reuseWithin;
    private DigestTable latest;
    private long latestStartNanos;

    /** @param reuseWithin how old a scan may be and still be handed out again (ZERO: never) */
    RegionScans(MappedRegion region, StreamParameters parameters, int threads, Duration reuseWithin) {
        this.region = region;
        this.parameters = parameters;
        this.scanner = new ParallelScanner(parameters.hash(), threads);
        this.reuseWithin = reuseWithin;
    }

    MappedRegion region() {
        return region;
    }

    StreamParameters parameters() {
        return parameters;
    }

    /** A table of the region, scanned now or by another stream within the reuse bound. */
    DigestTable recent(SyncStats stats) throws IOException {
        return scan(reuseWithin, stats);
    }

    /** A table of the region as it is now, never a reused one. */
    DigestTable fresh(SyncStats stats) throws IOException {
        return scan(Duration.ZERO, stats);
    }

    /**
     * A table of the region no older than {@code maxAge} (measured from the start of its scan); scans
     * now ({@code msync}, then hash in parallel) when the last one is older.
     *
     * @param stats credited with the bytes scanned when this call did the scan
     */
    private synchronized DigestTable scan(Duration maxAge, SyncStats stats) throws IOException {
        long now = System.nanoTime();
        if (latest == null || now - latestStartNanos > maxAge.toNanos()) {
            region.checkIntact();
            region.sync();
            DigestTable table = parameters.newTable();
            scanner.scan(region.segment(), table);
            latest = table;
            latestStartNanos = now;
            stats.scanned(region.size());
        }
        return latest;
    }

    @Override
    public synchronized void close() {
        scanner.close();
    }
}
