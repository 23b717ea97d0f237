package dev.deltasync.embed;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.metrics.SyncMetrics;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.EmbeddedSource;
import dev.deltasync.sync.EpochPacer;
import dev.deltasync.sync.Follower;
import dev.deltasync.sync.JobResult;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.SourceTracking;
import dev.deltasync.sync.SyncException;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import dev.deltasync.sync.region.MappedRegion;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Keeps a server's region identical to memory this application owns and writes, from inside the process:
 * <pre>{@code
 * try (Replicator replicator = Replicator.source(segment, "book")
 *         .to("10.0.0.2:7070", Security.tls(identityDir, List.of("SHA256:..."))).interval(Duration.ofMillis(200))
 *         .start()) {
 *     ... write to segment ...
 *     replicator.syncNow(); // an epoch now; returns once the replica verified it
 * }
 * }</pre>
 * The server is a {@code deltasync serve} offering the region read-write, or a {@link Replica} in another process.
 * Every epoch copies, hashes and sends the changed chunks and ends with a root digest the replica must match. Where
 * the kernel allows it, write tracking names the chunks to hash ({@link ScanMode#TRACKED}); otherwise, and at
 * start, after each reconnect and at least every {@link Builder#fullScanEvery}, the whole segment is scanned, so a
 * write the tracker cannot see (a {@code pwrite} to the segment's file, another process's mapping) reaches the
 * replica within that bound. A lost connection is retried with capped back-off until {@link #close()}.
 *
 * <p>Thread-safe: the application writes the segment from any threads, any time; {@link #syncNow} may be called
 * from several threads at once; {@link #close()} may be called from any thread, once or more. The segment must
 * stay mapped until {@code close()} returns. Nothing is printed and nothing exits: events go to the
 * {@link ReplicatorListener}, failures to the caller as {@link SyncException}s.
 */
public final class Replicator implements AutoCloseable {
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration MAX_RETRY = Duration.ofSeconds(10);

    private final String name;
    private final SourceTracking tracking;
    private final EpochPacer pacer;
    private final Follower follower;
    private final Thread thread;
    private volatile boolean closed;
    private volatile SyncException failure;

    private Replicator(String name, SourceTracking tracking, EpochPacer pacer, Follower follower, SyncJob job) {
        this.name = name;
        this.tracking = tracking;
        this.pacer = pacer;
        this.follower = follower;
        this.thread = Thread.ofPlatform().daemon().name("deltasync-replicator-" + name).unstarted(() -> run(job));
    }

    /** A source of {@code segment} (page-aligned native memory, e.g. a file mapping) into the server's {@code region}. */
    public static Builder source(MemorySegment segment, String region) {
        return new Builder(segment, region);
    }

    /** A replica: {@code file} follows what a source pushes into {@code region} (see {@link Replica}). */
    public static Replica.Builder replica(Path file, String region) {
        return new Replica.Builder(file, region);
    }

    private void run(SyncJob job) {
        try {
            for (JobResult result : follower.run(List.of(job))) {
                if (result.failure() != null) {
                    failure = result.failure();
                }
            }
        } catch (InterruptedException e) {
            failure = new SyncException(ErrorCode.CANCEL, "replicator of " + name + " interrupted", e);
        } catch (RuntimeException e) {
            failure = new SyncException(ErrorCode.INTERNAL_ERROR, "replicator of " + name + " failed: " + e, e);
        } finally {
            pacer.end();
        }
    }

    /**
     * Runs an epoch now (without waiting out the interval) and returns once the replica has verified one whose scan
     * started after this call: every write made through the segment before the call is then on the replica.
     * Waits through reconnects.
     *
     * @throws SyncException when the replicator stopped for good (closed, or a refusal no retry can mend)
     */
    public void syncNow() throws SyncException, InterruptedException {
        long ticket = pacer.request();
        while (!pacer.awaitVerified(ticket, MAX_RETRY)) {
            ended();
        }
    }

    /** As {@link #syncNow()}, giving up after {@code timeout}; returns whether the epoch was verified in time. */
    public boolean syncNow(Duration timeout) throws SyncException, InterruptedException {
        long ticket = pacer.request();
        if (pacer.awaitVerified(ticket, timeout)) {
            return true;
        }
        ended();
        return false;
    }

    /** Throws the reason the replicator stopped, if it did. */
    private void ended() throws SyncException {
        if (pacer.ended()) { // set after the failure, if any
            SyncException cause = closed ? null : failure; // once closed, its interruption is no failure to report
            throw cause != null ? cause : new SyncException(ErrorCode.CANCEL, "replicator of " + name + " is closed");
        }
    }

    /** Write tracking, or scanning, and why; it changes only when tracking fails. */
    public ScanMode scanMode() {
        return tracking.mode();
    }

    /** Why {@link #scanMode()} is what it is, in one line. */
    public String scanModeReason() {
        return tracking.why();
    }

    /**
     * Stops replicating (the connection is closed), ends write tracking and returns once all of it has stopped.
     * Called from a listener callback, it returns once the stop is under way: the threads it would wait for may be
     * waiting for that callback.
     */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        follower.stop();
        thread.interrupt(); // it may be waiting to reconnect
        try {
            if (Thread.currentThread() != thread && !ListenerBridge.inCallback()) {
                thread.join();
            }
        } finally {
            tracking.close();
        }
    }

    /** Settings for a {@link Replicator}; not thread-safe, and each {@link #start()} makes a new replicator. */
    public static final class Builder {
        private final MemorySegment segment;
        private final String region;
        private Address server;
        private Security security;
        private Duration interval = SyncOptions.defaults().interval();
        private HashAlgorithm hash = SyncOptions.defaults().hash();
        private int scanThreads = SyncOptions.defaults().scanThreads();
        private ReplicatorListener listener = ReplicatorListener.SILENT;
        private SyncMetrics metrics;
        private boolean writeTracking = true;
        private Duration fullScanEvery = SourceTracking.DEFAULT_FULL_SCAN_EVERY;

        private Builder(MemorySegment segment, String region) {
            this.segment = Objects.requireNonNull(segment, "segment");
            this.region = Objects.requireNonNull(region, "region");
        }

        /** The server, {@code host:port}, and how to secure the connection to it. Required. */
        public Builder to(String hostPort, Security security) {
            this.server = Address.parse(hostPort);
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /** The time between epochs (default 1 s); {@link Replicator#syncNow()} starts one early. */
        public Builder interval(Duration interval) {
            if (interval.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("interval must be at least 1 ms: " + interval);
            }
            this.interval = interval;
            return this;
        }

        /** The change-detection hash (default XXH3-128; BLAKE3 where the replica's host may be hostile). */
        public Builder hash(HashAlgorithm hash) {
            this.hash = Objects.requireNonNull(hash, "hash");
            return this;
        }

        /** Hashing threads for full scans (default: all cores). */
        public Builder scanThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("scanThreads must be at least 1: " + threads);
            }
            this.scanThreads = threads;
            return this;
        }

        public Builder listener(ReplicatorListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Records the replicator's series in {@code metrics} (README, "Metrics": epochs, bytes, lag, reconnects, and
         * {@code deltasync_scan_mode}, which says whether tracking runs and why not); the application serves them,
         * e.g. with {@code MetricsEndpoint.start}. Several replicators may share one.
         */
        public Builder metrics(SyncMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Whether to use the kernel's write tracking where it works (default true); false always scans. */
        public Builder writeTracking(boolean writeTracking) {
            this.writeTracking = writeTracking;
            return this;
        }

        /**
         * With write tracking, the longest time between full verifying scans (default 5 minutes): the bound on how
         * long a write the tracker cannot see stays unsent.
         */
        public Builder fullScanEvery(Duration fullScanEvery) {
            if (!fullScanEvery.isPositive()) {
                throw new IllegalArgumentException("fullScanEvery must be positive: " + fullScanEvery);
            }
            this.fullScanEvery = fullScanEvery;
            return this;
        }

        /** Starts replicating in the background; the first epoch copies the whole segment. */
        public Replicator start() {
            if (server == null) {
                throw new IllegalStateException("no server: call to(\"host:port\", security) first");
            }
            EpochPacer pacer = new EpochPacer();
            ListenerBridge bridge = new ListenerBridge(listener);
            SyncListener events = metrics == null ? bridge : metrics.recording(bridge, server.toString());
            SourceTracking tracking = SourceTracking.start(region, segment, writeTracking, fullScanEvery, events);
            SyncJob job = SyncJob.pushOf(new EmbeddedSource(MappedRegion.borrow(segment), tracking, pacer), region);
            SyncOptions defaults = SyncOptions.defaults();
            SyncOptions options = new SyncOptions(defaults.chunkSize(), hash, defaults.compression(), interval, false,
                    false, scanThreads);
            Follower follower = new Follower(server.host(), server.port(), security, options, events,
                    FIRST_RETRY, MAX_RETRY);
            Replicator replicator = new Replicator(region, tracking, pacer, follower, job);
            replicator.thread.start();
            return replicator;
        }
    }
}
