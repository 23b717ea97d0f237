package dev.deltasync.cli;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.Follower;
import dev.deltasync.sync.JobResult;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.SyncClient;
import dev.deltasync.sync.SyncException;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import dev.deltasync.sync.codec.Compression;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** What {@code push} and {@code pull} share: the options, the pairs, one connection, the summary. */
abstract class SyncCommand extends Command {
    static final Option ONCE = Option.builder().longOpt("once")
            .desc("converge, verify (root digests equal), exit 0; without it, keep following").get();
    static final Option INTERVAL = Option.builder().longOpt("interval").hasArg().argName("DURATION")
            .desc("when following: push scans this often (default 1s); pull asks the server for an epoch at most"
                    + " this often (default: the server's --interval, also the most often it allows); 500ms, 1.5s,"
                    + " 1m30s, 2h: from 1ms to 1d").get();
    static final Option CHUNK_SIZE = Option.builder().longOpt("chunk-size").hasArg().argName("SIZE")
            .desc("chunk size, a power of two from 4KiB to 1MiB, or auto (default): the source picks 4KiB up to a"
                    + " 4GiB region, then doubles it so a region has at most 2^20 chunks").get();
    static final Option HASH = Option.builder().longOpt("hash").hasArg().argName("ALGORITHM")
            .desc("xxh3-128 (default), xxh3-64, blake3 (when the peer may be hostile), crc32c, crc32").get();
    static final Option COMPRESS = Option.builder().longOpt("compress").hasArg().argName("CODEC")
            .desc("zstd[:LEVEL] (default zstd:1) or none; chunks that do not shrink travel raw").get();
    static final Option STATS = Option.builder().longOpt("stats")
            .desc("print a summary per region: bytes scanned, chunks changed, wire bytes and rate, compression, wall time")
            .get();
    static final Option JSON = Option.builder().longOpt("json")
            .desc("print events as JSON lines, one object per line (docs/JSON.md): epoch, region_done,"
                    + " region_failed, summary").get();
    static final Option PROGRESS = Option.builder().longOpt("progress")
            .desc("draw the progress line of the first sync even when stderr is not a terminal").get();
    static final Option NO_PROGRESS = Option.builder().longOpt("no-progress")
            .desc("no progress line, even on a terminal").get();
    static final Option VERIFY = Option.builder().longOpt("verify")
            .desc("hash both sides in full for the first epoch: neither side's trusted table of its file nor the table"
                    + " remembered of the replica stands in for reading the bytes (the server must agree: needs a"
                    + " deltasync serve that knows REHASH, protocol v2)").get();
    static final Option RESIZE = Option.builder().longOpt("resize")
            .desc("let the replica's file take the source's size instead of refusing a mismatch").get();
    static final Duration FIRST_RECONNECT_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(30);

    static final Option THREADS = Threads.OPTION;
    static final Option MAX_RATE = Rates.option("all pairs of this invocation");
    static final Option PEER_FINGERPRINT = SecurityOptions.peerFingerprint("the server's");

    /** Which way the pairs go: push pairs are LOCAL_PATH HOST:PORT/NAME, pull pairs the other way round. */
    abstract SyncJob.Direction direction();

    /** Applies the options only this command has; none by default. */
    SyncOptions withOwnOptions(SyncOptions options, CommandLine line) {
        return options;
    }

    /** What this command serves while its jobs run (pull --serve: relays); nothing by default. */
    Relaying relaying(CommandLine line, List<SyncJob> jobs, SyncOptions options, Security security, SyncListener log) {
        return Relaying.NONE;
    }

    /** Refuses a local path before anything connects; nothing to check by default. */
    void checkLocal(Path local) {
    }

    @Override
    Options ownOptions() {
        return SecurityOptions.addTo(new Options().addOption(ONCE).addOption(INTERVAL).addOption(CHUNK_SIZE)
                .addOption(HASH).addOption(COMPRESS).addOption(STATS).addOption(JSON).addOption(RESIZE).addOption(VERIFY)
                .addOption(PROGRESS).addOption(NO_PROGRESS)
                .addOption(THREADS).addOption(MAX_RATE).addOption(LogLines.QUIET).addOption(LogLines.VERBOSE)
                .addOption(ConfigFile.OPTION).addOption(MetricsOption.OPTION), PEER_FINGERPRINT);
    }

    /** A config file holds the pairs as {@code pairs = [["10.0.0.1:7070/vm", "/srv/vm.img"]]}, in the synopsis's order. */
    @Override
    String argumentsKey() {
        return "pairs";
    }

    @Override
    ExitCode run(CommandLine line, Io io) throws InterruptedException {
        List<String> args = line.getArgList();
        if (args.isEmpty() || args.size() % 2 != 0) {
            throw CliException.usage("expected " + synopsis().replace(" [options]", "") + ", got "
                    + (args.isEmpty() ? "nothing" : String.join(" ", args)));
        }
        List<SyncJob> jobs = new ArrayList<>();
        RemoteAddress server = null;
        boolean push = direction() == SyncJob.Direction.PUSH;
        for (int i = 0; i < args.size(); i += 2) {
            RemoteAddress remote = RemoteAddress.parseWithRegion(args.get(push ? i + 1 : i));
            Path local = localPath(args.get(push ? i : i + 1));
            if (server != null && !server.hostPort().equals(remote.hostPort())) {
                throw CliException.usage("all regions of one invocation must be on one server (they share one "
                        + "connection): " + server.hostPort() + " and " + remote.hostPort());
            }
            server = remote;
            checkLocal(local);
            jobs.add(new SyncJob(direction(), local, remote.region()));
        }
        SyncOptions options = withOwnOptions(options(line, push), line);
        options.hash().prepare(); // native hashing binds while the connection is set up, not during the first scan
        Security security = SecurityOptions.configure(line, io, Set.of(), "cannot authenticate the server: pass"
                + " --peer-fingerprint FP (the server's; its 'deltasync keygen' and 'deltasync serve' print it) or"
                + " --ca FILE, or use --insecure against a plaintext server");
        boolean json = line.hasOption(JSON);
        boolean stats = json || line.hasOption(STATS);

        LogLines log = LogLines.of(line, io, System.getenv());
        Relaying relaying = relaying(line, jobs, options, security, new ServeLog(log));
        jobs = relaying.jobs(jobs);
        ClientListener listener = new ClientListener(io, log, jobs, json || !options.once() && stats, json,
                showProgress(line, io), !options.once());
        List<JobResult> results;
        Optional<Signals.Stop> stoppedBy;
        try (MetricsOption metrics = MetricsOption.start(line); Signals signals = Signals.install(log); relaying) {
            metrics.url().ifPresent(url -> log.event("metrics on " + url));
            relaying.start(options, log, metrics, io);
            SyncListener events = metrics.around(listener, server.hostPort());
            results = options.once()
                    ? once(server, security, jobs, options, events, signals)
                    : follow(server, security, jobs, options, events, signals);
            stoppedBy = signals.received();
        }
        listener.done();
        for (JobResult result : results) {
            if (result.failure() != null) {
                String message = ConnectHints.clientLine(result.failure());
                io.err().println("deltasync " + name() + ": " + result.job() + ": " + message);
                if (json) {
                    StatsReport.regionFailed(io.out(), result.job(), result.failure(), message);
                }
            } else if (stats) {
                StatsReport.regionDone(io.out(), json, result.job(), result.outcome().verifiedEpoch(),
                        result.outcome().stats());
            }
        }
        ExitCode exit = Outcomes.exitCodeOf(results, options.once(), stoppedBy);
        if (json) {
            StatsReport.summary(io.out(), results, exit);
        }
        return exit;
    }

    /**
     * Converge and verify over one connection; any failure is final. A signal ends the streams (GOAWAY NO_ERROR)
     * and the jobs with what they had done.
     */
    private static List<JobResult> once(RemoteAddress server, Security security, List<SyncJob> jobs, SyncOptions options,
                                        SyncListener listener, Signals signals) throws InterruptedException {
        SyncClient client;
        try {
            client = SyncClient.connect(server.host(), server.port(), security);
        } catch (SyncException e) {
            throw new CliException(Outcomes.exitCodeOf(e), ConnectHints.clientLine(e), e);
        }
        try (client) {
            signals.whenStopped(client::stop);
            Path tables = rememberedTables(System.getenv());
            return client.rememberingTablesIn(tables).trustingSourcesIn(tables.resolveSibling("sources"))
                    .runAll(jobs, options, listener);
        }
    }

    /**
     * Where --once pushes remember their replicas' tables (PROTOCOL.md §9.7): $DELTASYNC_STATE, else
     * $XDG_STATE_HOME/deltasync/tables, else ~/.local/state/deltasync/tables; their own files' trusted tables go
     * to {@code sources} beside it.
     */
    static Path rememberedTables(Map<String, String> env) {
        String explicit = env.get("DELTASYNC_STATE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).resolve("tables");
        }
        String state = env.get("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() ? Path.of(state)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "state");
        return base.resolve("deltasync").resolve("tables");
    }

    /** Keep following until a signal stops it, reconnecting when the server goes away. */
    private static List<JobResult> follow(RemoteAddress server, Security security, List<SyncJob> jobs, SyncOptions options,
                                          SyncListener listener, Signals signals) throws InterruptedException {
        Follower follower = new Follower(server.host(), server.port(), security, options, listener,
                FIRST_RECONNECT_DELAY, MAX_RECONNECT_DELAY);
        signals.whenStopped(follower::stop);
        return follower.run(jobs);
    }

    static SyncOptions options(CommandLine line, boolean push) {
        SyncOptions defaults = SyncOptions.defaults();
        int chunkSize = valueOr(line, CHUNK_SIZE, ChunkSizes::parseOrAuto, defaults.chunkSize());
        HashAlgorithm hash = valueOr(line, HASH, text -> orUsageError(() -> HashAlgorithm.fromCliName(text)),
                defaults.hash());
        Compression compression = valueOr(line, COMPRESS, text -> orUsageError(() -> Compression.parse(text)),
                defaults.compression());
        // A pull without --interval asks for nothing: the server's own interval paces it.
        Duration interval = valueOr(line, INTERVAL, Durations::interval, push ? defaults.interval() : Duration.ZERO);
        int threads = Threads.parse(line.getOptionValue(THREADS));
        return new SyncOptions(chunkSize, hash, compression, interval, line.hasOption(ONCE), line.hasOption(RESIZE),
                threads, Rates.parse(line, MAX_RATE)).verifying(line.hasOption(VERIFY));
    }

    /** --progress or --no-progress if given, else a bar on a terminal unless the output is JSON. */
    static boolean showProgress(CommandLine line, Io io) {
        if (line.hasOption(PROGRESS) && line.hasOption(NO_PROGRESS)) {
            throw CliException.usage("--progress and --no-progress exclude each other");
        }
        return line.hasOption(PROGRESS) || !line.hasOption(NO_PROGRESS) && io.terminal() && !line.hasOption(JSON);
    }

    static Path localPath(String text) {
        if (text.isBlank()) {
            throw CliException.usage("empty local path");
        }
        return Path.of(text);
    }
}
