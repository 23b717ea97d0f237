package dev.deltasync.sync;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.mux.ConnectionLog;
import dev.deltasync.mux.MuxServer;
import dev.deltasync.mux.MuxStream;
import dev.deltasync.mux.Peer;
import dev.deltasync.mux.StreamClosedException;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.region.RegionFileException;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustedTable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server end: offers named regions; a client's PUSH stream makes the server's file a replica,
 * a PULL stream makes the server the source. Each stream runs on its own virtual thread; a failure in
 * one resets that stream only.
 */
public final class SyncServer implements AutoCloseable {
    /** How long a stream waits for a lock that another stream of this process is releasing. */
    private static final Duration OWN_LOCK_PATIENCE = Duration.ofSeconds(2);
    private static final Duration OWN_LOCK_RETRY = Duration.ofMillis(10);

    /** How long {@link #close()} waits for streams to finish their last writes (the replica, its state file). */
    private static final Duration STREAMS_END_WAIT = Duration.ofSeconds(10);

    private final MuxServer mux;
    private final StreamServer streams;

    private SyncServer(MuxServer mux, StreamServer streams) {
        this.mux = mux;
        this.streams = streams;
    }

    /** Starts listening on {@code host:port} (0: any free port, see {@link #port()}). */
    public static SyncServer start(String host, int port, List<ExposedRegion> regions, ServerOptions options,
                                   SyncListener listener) throws IOException, InterruptedException {
        return start(host, port, regions, Map.of(), options, listener);
    }

    /**
     * As {@link #start(String, int, List, ServerOptions, SyncListener)}, with some regions served by a {@link Relay}
     * (keyed by region name) instead of scans of their files: pullers of those get what the relay's upstream verified.
     */
    public static SyncServer start(String host, int port, List<ExposedRegion> regions, Map<String, Relay> relays,
                                   ServerOptions options, SyncListener listener)
            throws IOException, InterruptedException {
        Map<String, ExposedRegion> byName = new LinkedHashMap<>();
        for (ExposedRegion region : regions) {
            if (byName.put(region.name(), region) != null) {
                throw new IllegalArgumentException("region '" + region.name() + "' is exposed twice");
            }
        }
        if (!byName.keySet().containsAll(relays.keySet())) {
            throw new IllegalArgumentException("relays " + relays.keySet() + " are not all exposed regions");
        }
        StreamServer streams = new StreamServer(Map.copyOf(byName), Map.copyOf(relays), options, listener);
        return new SyncServer(MuxServer.start(host, port, options.security().mux(), streams::serve, connectionLog(listener)),
                streams);
    }

    /** Tells {@code listener} of every connection: refused before HELLO, or opened and later closed. */
    private static ConnectionLog connectionLog(SyncListener listener) {
        return new ConnectionLog() {
            @Override
            public void refused(String remote, ConnectFailure failure) {
                listener.refused(remote, failure);
            }

            @Override
            public void suppressed(String address, int count) {
                listener.info(ConnectionLog.suppressedLine(address, count));
            }

            @Override
            public void opened(Peer peer) {
                listener.connection(new ConnectionEvent.Connected(RemotePeer.of(peer), false, Duration.ZERO));
            }

            @Override
            public void closed(Peer peer, StreamClosedException reason) {
                listener.connection(new ConnectionEvent.Disconnected(RemotePeer.of(peer), reason.errorCode(),
                        reason.getMessage()));
            }
        };
    }

    public int port() {
        return mux.port();
    }

    /**
     * Stops: every connection gets GOAWAY(NO_ERROR), so its streams end cleanly, and each stream is waited for
     * (up to {@link #STREAMS_END_WAIT}) until it has flushed what it wrote and recorded its replica's state.
     */
    @Override
    public void close() {
        mux.close();
        try {
            streams.awaitEnded(STREAMS_END_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.sources.close();
        streams.trust.close();
    }

    /** Serves one stream: OPEN checks, then the replica or source side. */
    private static final class StreamServer {
        private final Map<String, ExposedRegion> regions;
        private final Map<String, Relay> relays;
        private final ServerOptions options;
        private final SyncListener listener;
        private final Admission admission;
        private final SharedSources sources;
        private final TrustKeeper trust;
        /** One party for the server, one per stream being served. */
        private final Phaser running = new Phaser(1);

        StreamServer(Map<String, ExposedRegion> regions, Map<String, Relay> relays, ServerOptions options,
                     SyncListener listener) {
            this.regions = regions;
            this.relays = relays;
            this.options = options;
            this.listener = listener;
            this.admission = new Admission(options.limits());
            this.sources = new SharedSources(options.scanThreads(), admission, options.interval());
            this.trust = new TrustKeeper(List.copyOf(regions.values()), listener);
        }

        void serve(MuxStream stream) throws InterruptedException {
            if (running.register() < 0) {
                return; // the server is closing: the stream is reset
            }
            try {
                serveRegistered(stream);
            } finally {
                running.arriveAndDeregister();
            }
        }

        /** Waits until every stream has ended, or {@code limit} has passed; no stream starts after this. */
        void awaitEnded(Duration limit) throws InterruptedException {
            int phase = running.arriveAndDeregister();
            try {
                running.awaitAdvanceInterruptibly(phase, limit.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // a stream stuck beyond the limit is not waited for longer: the process is ending
            }
        }

        private void serveRegistered(MuxStream stream) throws InterruptedException {
            SyncStats stats = new SyncStats();
            StreamChannel channel = new StreamChannel(stream, stats, options.rateLimit());
            Optional<Fingerprint> peer = stream.peer().identity();
            RemotePeer remote = RemotePeer.of(stream.peer());
            Open open;
            try {
                open = channel.expect(Open.class, "to start the stream");
            } catch (SyncException e) {
                listener.info("stream " + stream.id() + " of " + remote.address() + ": " + e.code() + ": "
                        + e.getMessage());
                return;
            }
            SyncJob.Direction role = open.role() == Constants.ROLE_PUSH ? SyncJob.Direction.PUSH : SyncJob.Direction.PULL;
            StreamEvent.Started started = new StreamEvent.Started(remote, open.name(), role, stream.id());
            listener.stream(started);
            SyncListener events = listener.forStream(started);
            String what = (role == SyncJob.Direction.PUSH ? "push into '" : "pull of '") + open.name() + "'"
                    + peer.map(fingerprint -> " by " + fingerprint).orElse("");
            Optional<SyncException> failure = Optional.empty();
            long verifiedEpoch;
            try {
                verifiedEpoch = serve(open, peer, channel, stats, events, what).verifiedEpoch();
            } catch (SyncException e) {
                failure = Optional.of(e);
                verifiedEpoch = stats.snapshot().verifiedEpoch();
            }
            listener.stream(new StreamEvent.Ended(remote, open.name(), role, stream.id(), verifiedEpoch, failure));
        }

        /**
         * The OPEN checks of PROTOCOL.md §5.3, authorization first: a peer that may not see the region gets the
         * very answer a missing region gets, before any other check could tell the two apart.
         */
        private SyncOutcome serve(Open open, Optional<Fingerprint> peer, StreamChannel channel, SyncStats stats,
                                  SyncListener events, String what) throws SyncException, InterruptedException {
            ExposedRegion region = regions.get(open.name());
            if (region != null && !region.access().mayPull(peer)) {
                listener.info(what + ": this peer is not allowed region '" + region.name()
                        + "' (serve --allow); answered as for an unknown region");
                region = null;
            }
            if (region == null) {
                throw channel.violation(ErrorCode.UNKNOWN_REGION, "no region named '%s'", open.name());
            }
            HashAlgorithm hash = ParameterCheck.hash(open.hashId(), channel);
            if (region.requireBlake3() && hash != HashAlgorithm.BLAKE3) {
                throw channel.violation(ErrorCode.UNSUPPORTED_PARAMETER,
                        "region '%s' requires the blake3 hash (the server runs with --require-blake3 %s), not %s:"
                                + " use --hash blake3", region.name(), region.name(), hash.cliName());
            }
            if (open.lineage().isPresent() != channel.hasLineages()) {
                throw channel.violation(ErrorCode.PROTOCOL_ERROR, "OPEN %s lineage fields on a protocol v%d stream",
                        channel.hasLineages() ? "without" : "with", channel.hasLineages() ? 2 : 1);
            }
            boolean push = open.role() == Constants.ROLE_PUSH;
            if (push && region.readOnly()) {
                throw channel.violation(ErrorCode.READ_ONLY, "region '%s' is read-only: it can be pulled, not pushed"
                        + " into (the server must offer it as NAME=PATH:rw)", region.name());
            }
            if (push && !region.access().mayPush(peer)) {
                throw channel.violation(ErrorCode.READ_ONLY,
                        "region '%s' is read-only for this peer: it may pull, not push (the server grants pushes with"
                                + " --allow %s=push:%s)", region.name(), region.name(),
                        peer.map(Fingerprint::toString).orElse("FP"));
            }
            return push ? receivePush(open, region, hash, channel, stats, events)
                    : servePull(open, region, hash, channel, stats, events);
        }

        /** Resets the stream unless the chunk size suits the region and the side that receives chunks. */
        private static void checkChunkSize(int chunkSize, long regionSize, int chunkReceiverLimit, StreamChannel channel)
                throws SyncException {
            Optional<String> problem = ParameterCheck.problem(chunkSize, regionSize, chunkReceiverLimit);
            if (problem.isPresent()) {
                throw channel.violation(ErrorCode.UNSUPPORTED_PARAMETER, "%s", problem.get());
            }
        }

        private SyncOutcome receivePush(Open open, ExposedRegion region, HashAlgorithm hash, StreamChannel channel,
                                        SyncStats stats, SyncListener events)
                throws SyncException, InterruptedException {
            checkChunkSize(open.chunkSize(), open.regionSize(), options.security().mux().maxFramePayload(), channel);
            StreamParameters parameters = new StreamParameters(hash, open.chunkSize(), open.regionSize());
            // The replica's table and the copy it sends, and one chunk to decompress into.
            try (Admission.Ticket ticket = admit(channel, 2 * parameters.tableBytes() + open.chunkSize())) {
                return receivePush(open, region, parameters, channel, stats, events);
            }
        }

        /**
         * The push claim is the replica file's exclusive lock ({@link RegionFile}): it belongs to the file, not to
         * the region's name, so two names of one file (aliases, hard links) cannot be pushed into at once, nor by
         * another process. When this side ends the stream, the lock is released just before its RESET leaves: a
         * peer that reopens on seeing the RESET must find the region free, not "already being pushed into".
         */
        private SyncOutcome receivePush(Open open, ExposedRegion region, StreamParameters parameters,
                                        StreamChannel channel, SyncStats stats, SyncListener events)
                throws SyncException, InterruptedException {
            RegionFile file;
            try {
                file = openPatiently(region, true);
            } catch (IOException e) {
                throw FileRefusals.ofRegion(channel, region.name(), e, true);
            }
            channel.whenEnding(file::close);
            trust.streamStarted(region.path());
            try (file; MappedRegion replica = mapForPush(open, region, file, channel)) {
                Optional<ReplicaState> previous = ReplicaState.continuable(region.path(), file.identity());
                StreamLineage lineage = channel.hasLineages()
                        ? StreamLineage.continuing(StreamLineage.positionOf(previous)) : StreamLineage.V1;
                Optional<TrustedTable> trusted = TrustFile.read(region.path(), parameters.hash(),
                        parameters.chunkSize(), parameters.regionSize());
                boolean known = lineage.v2() && !open.rehash()
                        && tableKnown(open, lineage, previous, trusted, region.path());
                channel.send(new OpenOk(channel.id(), open.regionSize(), open.chunkSize(), open.hashId(),
                        lineage.v2() ? Optional.of(lineage.position()) : Optional.empty(), known, open.rehash()));
                return new ReplicaSide(region.name(), channel, replica, parameters, options.scanThreads(), false,
                        options.reverifyEvery(), lineage, previous, stats, events).trusting(trusted, known)
                        .verifying(open.rehash()).run();
            } finally {
                trust.streamEnded(region.path());
            }
        }

        /**
         * PROTOCOL.md §9.7, PUSH: TABLE_KNOWN only for an offer of exactly the position in force whose root is the
         * one our state verified there and the root, recomputed, of a table we trust now.
         */
        private static boolean tableKnown(Open open, StreamLineage lineage, Optional<ReplicaState> previous,
                                          Optional<TrustedTable> trusted, Path path) {
            byte[] offered = open.tableRoot();
            return offered.length > 0 && open.lineage().equals(Optional.of(lineage.position()))
                    && previous.filter(s -> s.phase() == ReplicaState.Phase.VERIFIED
                            && Arrays.equals(s.root(), offered)).isPresent()
                    && trusted.filter(t -> Arrays.equals(t.table().rootDigest(), offered)
                            && t.holdsFor(path)).isPresent();
        }

        /**
         * Maps the region at the pushed size, unless its existing file has another size and the push or
         * the server does not allow resizing. Runs under the file's lock, so no other push resizes it meanwhile.
         */
        private static MappedRegion mapForPush(Open open, ExposedRegion region, RegionFile file, StreamChannel channel)
                throws SyncException {
            try {
                long size = file.created() ? -1 : file.size();
                if (size >= 0 && size != open.regionSize()) {
                    if (!open.allowResize()) {
                        throw channel.violation(ErrorCode.SIZE_MISMATCH,
                                "region '%s' is %d bytes, the source is %d bytes (push with --resize to resize it)",
                                region.name(), size, open.regionSize());
                    }
                    if (!region.resizable()) {
                        throw channel.violation(ErrorCode.SIZE_MISMATCH,
                                "region '%s' is %d bytes, the source is %d bytes, and the server does not let pushes"
                                        + " resize it (serve --allow-resize %s)", region.name(), size,
                                open.regionSize(), region.name());
                    }
                }
                return file.mapResized(open.regionSize());
            } catch (IOException e) {
                throw FileRefusals.ofRegion(channel, region.name(), e, true);
            }
        }

        private SyncOutcome servePull(Open open, ExposedRegion region, HashAlgorithm hash, StreamChannel channel,
                                      SyncStats stats, SyncListener events) throws SyncException, InterruptedException {
            Relay relay = relays.get(region.name());
            if (relay != null) {
                RegionScans scans = relay.scansFor(hash, open.chunkSize(), channel);
                StreamParameters parameters = scans.parameters();
                checkChunkSize(parameters.chunkSize(), parameters.regionSize(), channel.peerMaxFramePayload(), channel);
                try (Admission.Ticket ticket = admit(channel, parameters.tableBytes())) { // the acknowledged table
                    // a relay's table is its verified epochs', never a hash of its file: it cannot REHASH
                    return runSource(open, region, parameters, scans, channel, stats, events, false);
                }
            }
            long size = existingSize(region, channel);
            if (size < 0) {
                throw channel.violation(ErrorCode.IO_ERROR, "region '%s' has no data yet", region.name());
            }
            int chunkSize = open.chunkSize() == Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE
                    ? ParameterCheck.autoChunkSize(size) : open.chunkSize();
            checkChunkSize(chunkSize, size, channel.peerMaxFramePayload(), channel);
            StreamParameters parameters = new StreamParameters(hash, chunkSize, size);
            try (Admission.Ticket ticket = admit(channel, parameters.tableBytes())) { // the acknowledged table
                RegionScans scans;
                try (RegionFile admitted = openPatiently(region, false)) { // the shared sources lock it again, shared
                    scans = sources.acquire(region, parameters);
                } catch (Admission.Refused e) {
                    throw channel.violation(ErrorCode.REFUSED_STREAM, "%s", e.getMessage());
                } catch (IOException e) {
                    throw FileRefusals.ofRegion(channel, region.name(), e, false);
                }
                try { // the first scan of a pull's stream is always a fresh full one: REHASH asks nothing more
                    return runSource(open, region, parameters, scans, channel, stats, events, open.rehash());
                } finally {
                    sources.release(region, parameters);
                }
            }
        }

        /**
         * Answers OPEN and runs the source side of a pull over {@code scans}; {@code rehashes}: OPEN_OK says REHASH,
         * the stream's first scan hashes the whole region.
         */
        private SyncOutcome runSource(Open open, ExposedRegion region, StreamParameters parameters, RegionScans scans,
                                      StreamChannel channel, SyncStats stats, SyncListener events, boolean rehashes)
                throws SyncException, InterruptedException {
            // A pull's lineage is the replica's, continued; a replica without one starts a new one here.
            StreamLineage lineage = open.lineage().map(StreamLineage::continuing).orElse(StreamLineage.V1);
            channel.send(new OpenOk(channel.id(), parameters.regionSize(), parameters.chunkSize(), open.hashId(),
                    lineage.v2() ? Optional.of(lineage.position()) : Optional.empty(), false, rehashes));
            return new SourceSide(region.name(), channel, scans, options.compression(), pace(open), false,
                    lineage, stats, events).run();
        }

        /** Admits a stream that will hold {@code bytes} of tables, or refuses its OPEN (RESET REFUSED_STREAM). */
        private Admission.Ticket admit(StreamChannel channel, long bytes) throws SyncException {
            try {
                return admission.admit(channel.connection(), bytes);
            } catch (Admission.Refused e) {
                throw channel.violation(ErrorCode.REFUSED_STREAM, "%s", e.getMessage());
            }
        }

        /**
         * Opens and locks the region's file. When the lock is held by this very process, a stream whose peer has
         * just ended it may still be on its way out (it notices the peer's RESET on its own thread): that is
         * waited for, up to {@link #OWN_LOCK_PATIENCE}, so a pull right after a push on one connection is served.
         * A lock held by another process is refused at once (one whose holder /proc/locks does not name is waited
         * for too: at worst the refusal comes 2 s later).
         */
        private static RegionFile openPatiently(ExposedRegion region, boolean write)
                throws IOException, InterruptedException {
            long deadline = System.nanoTime() + OWN_LOCK_PATIENCE.toNanos();
            while (true) {
                try {
                    return write ? RegionFile.forWriting(region.path()) : RegionFile.forReading(region.path());
                } catch (RegionFileException e) {
                    // /proc/locks may no longer list a lock that is being released: unknown counts as ours.
                    boolean ours = e.holderPid().map(pid -> pid == ProcessHandle.current().pid()).orElse(true);
                    if (e.problem() != RegionFileException.Problem.BUSY || !ours || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(OWN_LOCK_RETRY);
                }
            }
        }

        /** A pull's interval: the client may ask for epochs less often than ours, never more often (§9.4). */
        private Duration pace(Open open) {
            Duration asked = Duration.ofMillis(open.intervalMillis());
            return asked.compareTo(options.interval()) > 0 ? asked : options.interval();
        }

        /** The region file's size, or -1 when it does not exist yet. */
        private static long existingSize(ExposedRegion region, StreamChannel channel) throws SyncException {
            try {
                return MappedRegion.sizeIfExists(region.path());
            } catch (IOException e) {
                throw FileRefusals.ofRegion(channel, region.name(), e, false);
            }
        }
    }
}
