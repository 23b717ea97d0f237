package dev.deltasync.sync;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.KnownZeros;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.trust.SourceTrust;
import dev.deltasync.sync.trust.TrustPass;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.function.LongConsumer;

/**
 * Scans of one source region with one hash and chunk size, shared by every stream that replicates it. A stream
 * that needs the region as it is now waits for a scan that started after it asked, so concurrent OPENs share one
 * scan (a stream arriving mid-scan waits for at most one more); in between epochs a scan younger than the server's
 * interval is handed out again, so scan cost does not grow with the number of pullers. Each scan yields a fresh
 * table that is never modified afterwards, so callers may keep it.
 *
 * <p>With {@link SourceTracking} (an embedded source, whose scans serve its one stream), a scan that need not be full
 * hashes only the chunks written since the previous one, into the previous table itself: copying it would cost
 * more than the hashing (16 MiB for a 16 GiB region). Above {@link #TRACKED_SHARE_LIMIT} of the chunks, the
 * parallel full scan is faster.
 *
 * <p>With a {@link Relay} (a replica served onwards) nothing is hashed at all: the table is the relay's, which the
 * chunks of each verified upstream epoch update, and chunks are read through the relay, which keeps them from being
 * read while the next upstream epoch writes them.
 */
final class RegionScans implements AutoCloseable {
    /** The share of written chunks above which a tracked scan hashes everything, on all scan threads. */
    private static final int TRACKED_SHARE_LIMIT = 8;

    private final MappedRegion region;
    private final StreamParameters parameters;
    private final ScanQueue queue;
    private final boolean ownQueue;
    private final Duration reuseWithin;
    private final SourceTracking tracking;
    private final Relay relay;
    private final ChunkHasher hasher;
    /** A push's trust in its own last scan (PROTOCOL.md §9.7); null: every scan hashes. */
    private SourceTrust trust;
    private Scan latest;
    private long latestStartNanos;
    private volatile boolean scanning;

    /** Scans of a region of one's own (a push's source), on a scanner of {@code threads} threads. */
    RegionScans(MappedRegion region, StreamParameters parameters, int threads, Duration reuseWithin) {
        this(region, parameters, new ScanQueue(threads), true, reuseWithin, null, null);
    }

    /** Scans of an embedded source's region, with its write tracking. */
    RegionScans(EmbeddedSource source, StreamParameters parameters, int threads) {
        this(source.region(), parameters, new ScanQueue(threads), true, Duration.ZERO, source.tracking(), null);
    }

    /** Scans of a shared region, in the server's {@code queue}. */
    RegionScans(MappedRegion region, StreamParameters parameters, ScanQueue queue, Duration reuseWithin) {
        this(region, parameters, queue, false, reuseWithin, null, null);
    }

    /** The scans of a relay's {@code region}: its verified epochs' tables, never hashed here. */
    RegionScans(Relay relay, MappedRegion region, StreamParameters parameters) {
        this(region, parameters, null, false, Duration.ZERO, null, relay);
    }

    private RegionScans(MappedRegion region, StreamParameters parameters, ScanQueue queue, boolean ownQueue,
                        Duration reuseWithin, SourceTracking tracking, Relay relay) {
        this.region = region;
        this.parameters = parameters;
        this.queue = queue;
        this.ownQueue = ownQueue;
        this.reuseWithin = reuseWithin;
        this.tracking = tracking;
        this.relay = relay;
        this.hasher = tracking == null ? null : parameters.hash().newHasher();
    }

    /** Lets full scans take, or leave, a table of this file that a trust pass established (a push's source). */
    RegionScans trusting(SourceTrust trust) {
        this.trust = trust;
        return this;
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

    /**
     * A table of the region, scanned now or by another stream within the reuse bound; with write tracking, perhaps
     * only the written chunks were hashed.
     */
    Scan recent(SyncStats stats, LongConsumer hashedBytes) throws IOException, InterruptedException {
        if (relay != null) {
            return relay.latest(this);
        }
        return scanStartedAfter(System.nanoTime() - reuseWithin.toNanos(), false, stats, hashedBytes);
    }

    /**
     * A table of the region as it is now: from a full scan that started after this call, perhaps another stream's.
     */
    Scan fresh(SyncStats stats, LongConsumer hashedBytes) throws IOException, InterruptedException {
        if (relay != null) { // the last verified epoch is the freshest a relay may send
            return relay.latest(this);
        }
        return scanStartedAfter(System.nanoTime(), true, stats, hashedBytes);
    }

    /**
     * A table from a scan that started at {@code sinceNanos} or later; scans now (hashes in the
     * queue) when the last one started earlier. Callers queue on this object, so those that arrived during a scan
     * find the next one done for them.
     *
     * @param stats       credited with the bytes scanned when this call did the scan
     * @param hashedBytes told the bytes hashed so far when this call does the scan
     */
    private synchronized Scan scanStartedAfter(long sinceNanos, boolean full, SyncStats stats,
                                               LongConsumer hashedBytes)
            throws IOException, InterruptedException {
        if (latest == null || latestStartNanos - sinceNanos < 0) {
            scanning = true;
            long hashed;
            long start = System.nanoTime();
            try {
                Instant startedAt = Instant.now();
                region.checkIntact(); // no msync: a source reads the page cache, which holds every writer's bytes
                BitSet written = tracking == null ? null
                        : tracking.writtenChunks(parameters.chunkSize(), full || latest == null);
                DigestTable table;
                if (written == null || written.cardinality() > latest.table().chunkCount() / TRACKED_SHARE_LIMIT) {
                    DigestTable into = table = parameters.newTable();
                    TrustPass.Hashing hashing = () -> queue.scan(region.segment(), into, region.knownZeros(),
                            hashedBytes);
                    hashed = trust == null ? hashing.hashAll() : trust.scan(region, into, hashing);
                } else {
                    table = latest.table(); // its one stream is done with it: it asks for the next scan
                    hashed = hashWritten(table, written);
                }
                latest = new Scan(table, startedAt);
                latestStartNanos = start;
            } finally {
                scanning = false;
            }
            stats.scanned(hashed, System.nanoTime() - start);
        }
        return latest;
    }

    /** Hashes the {@code written} chunks into {@code table}; returns the bytes hashed. */
    private long hashWritten(DigestTable table, BitSet written) {
        byte[] digest = new byte[table.digestLength()];
        long bytes = 0;
        for (int index = written.nextSetBit(0); index >= 0; index = written.nextSetBit(index + 1)) {
            int length = table.chunkLength(index);
            hasher.hash(region.segment().asSlice(table.chunkOffset(index), length), digest, 0);
            table.set(index, digest, 0);
            bytes += length;
        }
        return bytes;
    }

    /** What a source may take to be zeros unread: nothing on a relay, whose reads must all go through it. */
    KnownZeros knownZeros() {
        return relay != null ? KnownZeros.NONE : region.knownZeros();
    }

    /**
     * Copies {@code into.length} bytes of the region at {@code offset}; a relay's as its last verified epoch left
     * them, for as long as {@code reader} (the stream that sends them) is open.
     */
    void copy(long offset, byte[] into, StreamChannel reader) throws IOException, SyncException, InterruptedException {
        if (relay != null) {
            relay.copy(this, offset, into, reader);
        } else {
            MemorySegment.copy(region.segment(), offset, MemorySegment.ofArray(into), 0, into.length);
        }
    }

    /**
     * One scan's table and when it began, by the wall clock: the source time an epoch built on it carries
     * (a chunk in the table holds the region's bytes of that moment or later). A relay's table is its own, updated
     * by each verified upstream epoch under the relay's lock: {@link #diff} compares under it.
     */
    record Scan(DigestTable table, Instant startedAt, Relay relay) {
        Scan(DigestTable table, Instant startedAt) {
            this(table, startedAt, null);
        }

        /** The chunks whose digests differ from {@code acknowledged}'s. */
        int[] diff(DigestTable acknowledged) {
            return relay == null ? table.diff(acknowledged) : relay.diff(table, acknowledged);
        }
    }

    @Override
    public void close() {
        if (ownQueue) {
            queue.close();
        }
    }
}
