package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongConsumer;

/**
 * Scans of one source region with one hash and chunk size, shared by every stream that replicates it. A stream
 * that needs the region as it is now waits for a scan that started after it asked, so concurrent OPENs share one
 * scan (a stream arriving mid-scan waits for at most one more); in between epochs a scan younger than the server's
 * interval is handed out again, so scan cost does not grow with the number of pullers. Each scan yields a fresh
 * table that is never modified afterwards, so callers may keep it.
 */
final class RegionScans implements AutoCloseable {
    private final MappedRegion region;
    private final StreamParameters parameters;
    private final ScanQueue queue;
    private final boolean ownQueue;
    private final Duration reuseWithin;
    private Scan latest;
    private long latestStartNanos;
    private volatile boolean scanning;

    /** Scans of a region of one's own (a push's source), on a scanner of {@code threads} threads. */
    RegionScans(MappedRegion region, StreamParameters parameters, int threads, Duration reuseWithin) {
        this(region, parameters, new ScanQueue(threads), true, reuseWithin);
    }

    /** Scans of a shared region, in the server's {@code queue}. */
    RegionScans(MappedRegion region, StreamParameters parameters, ScanQueue queue, Duration reuseWithin) {
        this(region, parameters, queue, false, reuseWithin);
    }

    private RegionScans(MappedRegion region, StreamParameters parameters, ScanQueue queue, boolean ownQueue,
                        Duration reuseWithin) {
        this.region = region;
        this.parameters = parameters;
        this.queue = queue;
        this.ownQueue = ownQueue;
        this.reuseWithin = reuseWithin;
    }

    MappedRegion region() {
        return region;
    }

    StreamParameters parameters() {
        return parameters;
    }

    /** True while a scan is waiting in the queue or running: a stream asking now joins it (or the next one). */
    boolean scanning() {
        return scanning;
    }

    /** A table of the region, scanned now or by another stream within the reuse bound. */
    Scan recent(SyncStats stats, LongConsumer hashedBytes) throws IOException, InterruptedException {
        return scanStartedAfter(System.nanoTime() - reuseWithin.toNanos(), stats, hashedBytes);
    }

    /** A table of the region as it is now: from a scan that started after this call, perhaps another stream's. */
    Scan fresh(SyncStats stats, LongConsumer hashedBytes) throws IOException, InterruptedException {
        return scanStartedAfter(System.nanoTime(), stats, hashedBytes);
    }

    /**
     * A table from a scan that started at {@code sinceNanos} or later; scans now ({@code msync}, then hash in the
     * queue) when the last one started earlier. Callers queue on this object, so those that arrived during a scan
     * find the next one done for them.
     *
     * @param stats       credited with the bytes scanned when this call did the scan
     * @param hashedBytes told the bytes hashed so far when this call does the scan
     */
    private synchronized Scan scanStartedAfter(long sinceNanos, SyncStats stats, LongConsumer hashedBytes)
            throws IOException, InterruptedException {
        if (latest == null || latestStartNanos - sinceNanos < 0) {
            scanning = true;
            try {
                long start = System.nanoTime();
                Instant startedAt = Instant.now();
                region.checkIntact();
                region.sync();
                DigestTable table = parameters.newTable();
                queue.scan(region.segment(), table, hashedBytes);
                latest = new Scan(table, startedAt);
                latestStartNanos = start;
            } finally {
                scanning = false;
            }
            stats.scanned(region.size());
        }
        return latest;
    }

    /**
     * One scan's table and when it began, by the wall clock: the source time an epoch built on it carries
     * (a chunk in the table holds the region's bytes of that moment or later).
     */
    record Scan(DigestTable table, Instant startedAt) { }

    @Override
    public void close() {
        if (ownQueue) {
            queue.close();
        }
    }
}
