package dev.deltasync.sync;

import dev.deltasync.mux.MuxClient;
import dev.deltasync.mux.MuxSession;
import dev.deltasync.mux.MuxStream;
import dev.deltasync.mux.StreamClosedException;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.LineagePosition;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.trust.RememberedTables;
import dev.deltasync.sync.trust.SourceTrust;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustedTable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The client end: one connection to a server, one multiplexed stream per job. {@code push} jobs make a
 * remote region follow a local file, {@code pull} jobs the other way round.
 */
public final class SyncClient implements AutoCloseable {
    private final MuxSession session;
    private final RemotePeer server;
    private volatile boolean stopping;
    /** Where pushes remember what their replicas acknowledged (PROTOCOL.md §9.7); null: nowhere. */
    private volatile RememberedTables memory;
    /** Where pushes record the tables of their own files' trusted scans (PROTOCOL.md §9.7); null: nowhere. */
    private volatile Path sourceRecords;

    private SyncClient(MuxSession session, RemotePeer server) {
        this.session = session;
        this.server = server;
    }

    /**
     * Connects and completes the handshake. A failure is a {@link SyncException} with the peer's code (e.g.
     * UNSUPPORTED_VERSION) or CANCEL, and, when the connection never got as far as both HELLOs, its
     * {@link SyncException#connectFailure()}; final ones (a certificate refused) are not retryable.
     */
    public static SyncClient connect(String host, int port, Security security) throws SyncException, InterruptedException {
        try {
            MuxSession session = MuxClient.connect(host, port, security.mux());
            return new SyncClient(session, RemotePeer.dialled(host, port, session.peer()));
        } catch (StreamClosedException e) {
            throw e.connectFailure()
                    .map(failure -> SyncException.connectFailed(e.errorCode(), e.getMessage(), failure, e))
                    .orElseGet(() -> new SyncException(e.errorCode(), e.getMessage(), e));
        }
    }

    /**
     * Lets {@code --once} pushes remember, in {@code dir}, the table each replica acknowledged, and offer its root
     * on the next push: a replica that trusts exactly that table then sends none (PROTOCOL.md §9.7).
     */
    public SyncClient rememberingTablesIn(Path dir) {
        this.memory = new RememberedTables(dir);
        return this;
    }

    /**
     * Lets pushes record, in {@code dir}, the table of a scan of their file that was a trust pass, and take it
     * instead of hashing the next time while the file's stamp is the same (PROTOCOL.md §9.7).
     */
    public SyncClient trustingSourcesIn(Path dir) {
        this.sourceRecords = dir;
        return this;
    }

    /** Why the connection ended, once it has: the server's GOAWAY, or the connection lost; empty while it is open. */
    Optional<SyncException> closeReason() {
        return session.closeReason().map(e -> new SyncException(e.errorCode(), e.getMessage(), e));
    }

    /** The server as dialled, with the fingerprint it authenticated with. */
    public RemotePeer peer() {
        return server;
    }

    /** Runs every job concurrently on this connection; returns when all have ended. */
    public List<JobResult> runAll(List<SyncJob> jobs, SyncOptions options, SyncListener listener)
            throws InterruptedException {
        return runAll(jobs, options, listener, JobResources.perStream());
    }

    /** As {@link #runAll(List, SyncOptions, SyncListener)}, with the local files and their locks from {@code files}. */
    List<JobResult> runAll(List<SyncJob> jobs, SyncOptions options, SyncListener listener, JobResources files)
            throws InterruptedException {
        List<JobResult> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JobResult>> running = new ArrayList<>();
            for (SyncJob job : jobs) {
                running.add(threads.submit(() -> runCatching(job, options, listener, files)));
            }
            for (Future<JobResult> future : running) {
                try {
                    results.add(future.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("job thread failed", e.getCause());
                }
            }
        }
        return results;
    }

    /** A job that {@link #stop()} ended is not a failure: it ends with what it had done. */
    private JobResult runCatching(SyncJob job, SyncOptions options, SyncListener listener, JobResources files)
            throws InterruptedException {
        SyncStats stats = files.stats(job);
        try {
            return new JobResult(job, run(job, options, listener, files, stats), null);
        } catch (SyncException e) {
            if (stopping) {
                return stopped(job, stats);
            }
            listener.streamFailed(job, e);
            return new JobResult(job, null, e);
        }
    }

    /** How a job stopped on request ended: its totals, verified as far as they were. */
    static JobResult stopped(SyncJob job, SyncStats stats) {
        SyncStats.Snapshot totals = stats.snapshot();
        return new JobResult(job, new SyncOutcome(job.remoteName(), totals.verifiedEpoch(), totals), null);
    }

    /** Runs one job on its own stream until it is verified ({@code once}) or ends. */
    public SyncOutcome run(SyncJob job, SyncOptions options, SyncListener listener)
            throws SyncException, InterruptedException {
        return run(job, options, listener, JobResources.perStream(), new SyncStats());
    }

    private SyncOutcome run(SyncJob job, SyncOptions options, SyncListener listener, JobResources files,
                            SyncStats stats) throws SyncException, InterruptedException {
        return switch (job.direction()) {
            case PUSH -> push(job, options, listener, files, stats);
            case PULL -> pull(job, options, listener, files, stats);
        };
    }

    private SyncOutcome push(SyncJob job, SyncOptions options, SyncListener listener, JobResources files,
                             SyncStats stats) throws SyncException, InterruptedException {
        try (MappedRegion local = job.embedded() != null ? job.embedded().region() : files.source(job)) {
            options = options.chunkSize() == Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE
                    ? options.withChunkSize(ParameterCheck.autoChunkSize(local.size())) : options;
            Optional<String> problem = ParameterCheck.problem(options.chunkSize(), local.size(),
                    session.peer().maxFramePayload());
            if (problem.isPresent()) {
                throw new SyncException(ErrorCode.UNSUPPORTED_PARAMETER, problem.get());
            }
            Optional<RememberedTables.Remembered> recalled = recall(job, options, local.size());
            try (StreamChannel channel = open(job, options, Constants.ROLE_PUSH, local.size(), options.allowResize(),
                    recalled.map(RememberedTables.Remembered::position).orElse(LineagePosition.NONE),
                    recalled.map(RememberedTables.Remembered::root).orElse(new byte[0]), stats)) {
                return runSource(job, options, listener, local, channel, stats, recalled);
            }
        }
    }

    /** What this client remembers of the replica a push job names, for a table of this geometry. */
    private Optional<RememberedTables.Remembered> recall(SyncJob job, SyncOptions options, long size) {
        RememberedTables tables = memory;
        return tables == null || job.embedded() != null || !StreamLineage.spokenIn(session.peer().version())
                || options.verify() ? Optional.empty()
                : tables.recall(replicaKey(job), options.hash(), options.chunkSize(), size);
    }

    /** A replica as this client names it: the server as dialled and the region's name. */
    private String replicaKey(SyncJob job) {
        return server.address() + "/" + job.remoteName();
    }

    /**
     * After a --once push: what the replica acknowledged at the verified epoch it ended on is remembered; a push
     * that ended otherwise forgets it. After the stream, never on its way; a failure only costs the next push a table.
     */
    private void remember(SyncJob job, SyncOptions options, StreamLineage lineage, SyncOutcome outcome,
                          SourceSide side) {
        RememberedTables tables = memory;
        if (tables == null || job.embedded() != null || !lineage.v2()) {
            return;
        }
        try {
            if (options.once() && outcome.verified()) {
                tables.remember(replicaKey(job), new LineagePosition(lineage.lineage().get().bytes(),
                        outcome.verifiedEpoch()), side.acknowledged());
                return;
            }
        } catch (IOException | RuntimeException e) {
            // fall through: nothing wrong is remembered
        }
        tables.forget(replicaKey(job));
    }

    /** The source side of a push, once the stream is open. */
    private SyncOutcome runSource(SyncJob job, SyncOptions options, SyncListener listener, MappedRegion local,
                                  StreamChannel channel, SyncStats stats,
                                  Optional<RememberedTables.Remembered> recalled)
            throws SyncException, InterruptedException {
        OpenOk ok = channel.expect(OpenOk.class, "in answer to OPEN");
        StreamParameters parameters = agreed(channel, ok, options);
        if (ok.regionSize() != local.size()) {
            throw channel.violation(ErrorCode.SIZE_MISMATCH, "server took region size %d, source is %d",
                    ok.regionSize(), local.size());
        }
        LineagePosition offered = recalled.map(RememberedTables.Remembered::position).orElse(LineagePosition.NONE);
        StreamLineage lineage = agreedLineage(channel, ok, offered, false);
        checkRehash(channel, ok, options);
        EmbeddedSource embedded = job.embedded();
        Path records = sourceRecords;
        SourceTrust trust = embedded == null && records != null ? new SourceTrust(records, options.verify()) : null;
        try (RegionScans scans = embedded != null ? new RegionScans(embedded, parameters, options.scanThreads())
                : new RegionScans(local, parameters, options.scanThreads(), Duration.ZERO).trusting(trust)) {
            SourceSide side = new SourceSide(job.remoteName(), channel, scans, options.compression(),
                    options.interval(), options.once(), lineage, stats, listener,
                    embedded == null ? null : embedded.pacer())
                    .knowing(ok.tableKnown() ? recalled.get().table() : null);
            SyncOutcome outcome = side.run();
            remember(job, options, lineage, outcome, side);
            if (trust != null) {
                trust.keep();
            }
            return outcome;
        }
    }

    /**
     * An existing replica file is opened and locked before the stream opens, so a second writer is refused
     * before anything is exchanged; a missing one is created once the server has said how large it is.
     */
    private SyncOutcome pull(SyncJob job, SyncOptions options, SyncListener listener, JobResources files,
                             SyncStats stats) throws SyncException, InterruptedException {
        RegionFile existing = files.existingReplica(job);
        try {
            long localSize = existing == null ? -1 : localSize(existing);
            // A missing file is created at the region's size: a resize from 0, which OPEN must announce (§5.3).
            boolean allowResize = options.allowResize() || localSize < 0;
            Optional<ReplicaState> previous = localSize < 0 ? Optional.empty()
                    : ReplicaState.continuable(job.localPath(), existing.identity());
            LineagePosition position = StreamLineage.positionOf(previous);
            try (StreamChannel channel = open(job, options, Constants.ROLE_PULL, Math.max(localSize, 0), allowResize,
                    position, new byte[0], stats)) {
                return runReplica(job, options, listener, files, existing, localSize, channel, previous, position,
                        stats);
            }
        } finally {
            files.streamEnded(job, existing);
        }
    }

    /** The replica side of a pull, once the stream is open; {@code existing} is null when the file is missing. */
    private SyncOutcome runReplica(SyncJob job, SyncOptions options, SyncListener listener, JobResources files,
                                   RegionFile existing, long localSize, StreamChannel channel,
                                   Optional<ReplicaState> previous, LineagePosition offered, SyncStats stats)
            throws SyncException, InterruptedException {
        OpenOk ok = channel.expect(OpenOk.class, "in answer to OPEN");
        StreamParameters parameters = agreed(channel, ok, options);
        StreamLineage lineage = agreedLineage(channel, ok, offered, true);
        checkRehash(channel, ok, options);
        if (localSize >= 0 && localSize != ok.regionSize() && !options.allowResize()) {
            throw channel.violation(ErrorCode.SIZE_MISMATCH,
                    "%s is %d bytes but region '%s' is %d bytes (use --resize to resize the local file)",
                    job.localPath(), localSize, job.remoteName(), ok.regionSize());
        }
        MappedRegion local;
        try {
            RegionFile file = existing != null ? existing : files.replica(job);
            local = files.map(job, file, ok.regionSize());
        } catch (IOException e) {
            SyncException failure = FileRefusals.ofLocal(e);
            throw channel.violation(failure.code(), "%s", failure.getMessage());
        }
        try (local) {
            Optional<TrustedTable> trusted = TrustFile.read(job.localPath(), parameters.hash(), parameters.chunkSize(),
                    parameters.regionSize());
            return new ReplicaSide(job.remoteName(), channel, local, parameters, options.scanThreads(), options.once(),
                    options.reverifyEvery(), lineage, previous, stats, listener)
                    .reportingTo(job.relay() != null ? job.relay() : AppliedEpochs.NONE).trusting(trusted, false)
                    .verifying(options.verify()).run();
        }
    }

    /**
     * @param position  the lineage position OPEN carries on a v2 connection (PROTOCOL.md §9.6)
     * @param tableRoot the root of the table offered at that position (§9.7), or empty
     */
    private StreamChannel open(SyncJob job, SyncOptions options, int role, long regionSize, boolean allowResize,
                               LineagePosition position, byte[] tableRoot, SyncStats stats)
            throws SyncException, InterruptedException {
        try {
            int intervalMillis = role == Constants.ROLE_PULL ? wireMillis(options.interval()) : 0;
            Optional<LineagePosition> lineage = StreamLineage.spokenIn(session.peer().version())
                    ? Optional.of(position) : Optional.empty();
            if (options.verify() && lineage.isEmpty()) {
                throw new SyncException(ErrorCode.UNSUPPORTED_PARAMETER, server.address() + " speaks protocol v1,"
                        + " which cannot ask it to hash its side in full (REHASH is v2)");
            }
            MuxStream stream = session.openStream(id -> new Open(id, role, options.hash().wireId(), options.chunkSize(),
                    regionSize, intervalMillis, job.remoteName(), allowResize, lineage,
                    lineage.isPresent() ? tableRoot : new byte[0], options.verify()));
            return new StreamChannel(stream, stats, options.rateLimit());
        } catch (StreamClosedException e) {
            throw new SyncException(e.errorCode(), "cannot open a stream to " + server.address() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A full re-hash asked for (REHASH) must be agreed to: a server that does not know the flag ignores it and would
     * answer from what it trusts (PROTOCOL.md §9.7).
     */
    private static void checkRehash(StreamChannel channel, OpenOk ok, SyncOptions options) throws SyncException {
        if (options.verify() && !ok.rehash()) {
            throw channel.violation(ErrorCode.UNSUPPORTED_PARAMETER, "the server did not agree to hash its side in"
                    + " full (no REHASH in OPEN_OK: it predates the flag, or serves the region as a relay)");
        }
    }

    /** An interval as OPEN carries it: whole milliseconds, capped at the u31 maximum (24 days). */
    private static int wireMillis(Duration interval) {
        return (int) Math.min(interval.toMillis(), Integer.MAX_VALUE);
    }

    /**
     * The server must echo what we proposed, except a chunk size we left to it (PROTOCOL.md §9.5), which
     * must then be a valid one.
     */
    private static StreamParameters agreed(StreamChannel channel, OpenOk ok, SyncOptions options) throws SyncException {
        boolean chunkSizeOk = options.chunkSize() == Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE
                ? Constants.isValidChunkSize(ok.chunkSize()) : ok.chunkSize() == options.chunkSize();
        if (ok.hashId() != options.hash().wireId() || !chunkSizeOk) {
            throw channel.violation(ErrorCode.UNSUPPORTED_PARAMETER,
                    "server answered hash %d / chunk size %d, we asked %d / %d",
                    ok.hashId(), ok.chunkSize(), options.hash().wireId(), options.chunkSize());
        }
        return new StreamParameters(options.hash(), ok.chunkSize(), ok.regionSize());
    }

    /**
     * The lineage OPEN_OK put in force: on a v2 connection it must name one, and continue ours when we are the
     * replica ({@code ours}: a pull) and offered one that can go on (PROTOCOL.md §9.6); a v1 OPEN_OK names none.
     */
    private static StreamLineage agreedLineage(StreamChannel channel, OpenOk ok, LineagePosition offered, boolean ours)
            throws SyncException {
        if (!channel.hasLineages()) {
            if (ok.lineage().isPresent()) {
                throw channel.violation(ErrorCode.PROTOCOL_ERROR, "OPEN_OK with lineage fields on a protocol v1 stream");
            }
            return StreamLineage.V1;
        }
        if (ok.lineage().isEmpty()) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "OPEN_OK without lineage fields on a protocol v2 stream");
        }
        if (ok.tableKnown() && (ours || offered.isNone() || !ok.lineage().get().equals(offered))) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "OPEN_OK with TABLE_KNOWN, but not for a table offered");
        }
        boolean continuable = !offered.isNone() && offered.epoch() < Long.MAX_VALUE;
        if (ours && continuable && !ok.lineage().get().equals(offered)) {
            throw channel.violation(ErrorCode.PROTOCOL_ERROR, "OPEN_OK lineage %s does not continue the replica's %s",
                    ok.lineage().get(), offered);
        }
        return StreamLineage.of(ok.lineage().get());
    }

    /** -1 for a file this client created that no session has filled yet (one held across sessions was). */
    private static long localSize(RegionFile file) throws SyncException {
        try {
            long size = file.size();
            return file.created() && size == 0 ? -1 : size;
        } catch (IOException e) {
            throw FileRefusals.ofLocal(e);
        }
    }

    /**
     * Ends every stream now, cleanly (GOAWAY NO_ERROR): a replica keeps the state its last epoch left (VERIFIED,
     * or APPLYING mid-epoch), and each job's result is what it had done, not a failure.
     */
    public void stop() {
        stopping = true;
        session.close("the client is stopping");
    }

    @Override
    public void close() {
        session.close();
    }
}
