package dev.deltasync.cli;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.HostPort;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.Networking;
import dev.deltasync.sync.RateLimit;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncServer;
import dev.deltasync.sync.codec.Compression;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code deltasync serve}: offers named regions to pushers and pullers until stopped. */
final class ServeCommand extends Command {
    private static final Option LISTEN = Option.builder().longOpt("listen").hasArg().argName("HOST:PORT")
            .desc("address to listen on (default 127.0.0.1:7070; 0.0.0.0:7070 for every interface)").get();
    private static final Option REGION = repeatable(Option.builder().longOpt("region").hasArg().argName("NAME=PATH[:ro|:rw]")
            .desc("a region to offer, repeatable; read-only unless :rw (pushers need :rw)").get());
    private static final Option MAX_RATE = Rates.option("all streams of all clients");
    private static final Option INTERVAL = Option.builder().longOpt("interval").hasArg().argName("DURATION")
            .desc("time between scans of regions that clients pull (default 1s); the most often a pull gets an"
                    + " epoch (a pull's own --interval may ask for less often)").get();
    private static final Option COMPRESS = Option.builder().longOpt("compress").hasArg().argName("CODEC")
            .desc("codec for chunks sent to pullers: zstd[:LEVEL] (default zstd:1) or none").get();
    private static final Option THREADS = Threads.OPTION;
    private static final Option PEER_FINGERPRINT = SecurityOptions.peerFingerprint(
            "a client allowed to connect (every region without --allow is open to it):");
    static final Option ALLOW = repeatable(Option.builder().longOpt("allow").hasArg().argName("NAME=pull:FP|NAME=push:FP")
            .desc("only these clients may see region NAME: pull, or push (which includes pull); repeatable;"
                    + " also lets the client connect").get());
    private static final Option ALLOW_RESIZE = repeatable(Option.builder().longOpt("allow-resize").hasArg().argName("NAME")
            .desc("let a push with --resize change the size of region NAME's file (repeatable; without it a"
                    + " pusher can only fill the file at its size, or create it if missing)").get());
    private static final Option FOLLOW_SYMLINKS = repeatable(Option.builder().longOpt("follow-symlinks").hasArg().argName("NAME")
            .desc("serve region NAME although its path is a symlink: the link is resolved once, at start, and its"
                    + " target served (repeatable; without it a symlink is refused, and a link swapped in later never"
                    + " redirects a region)").get());
    private static final Option REQUIRE_BLAKE3 = repeatable(Option.builder().longOpt("require-blake3").hasArg().argName("NAME")
            .desc("refuse streams on region NAME that do not hash with blake3 (repeatable)").get());

    @Override
    String name() {
        return "serve";
    }

    @Override
    String summary() {
        return "offer named regions to push and pull clients";
    }

    @Override
    String synopsis() {
        return "--region NAME=PATH[:ro|:rw] [--region ...] [--listen HOST:PORT]"
                + " (--peer-fingerprint FP | --allow NAME=pull|push:FP | --ca FILE | --insecure) [options]";
    }

    @Override
    String description() {
        return """
                Offers the named regions, and only those, on one port. Clients 'pull' a region (the server is
                the source; it scans once per --interval however many clients pull) or 'push' into a :rw region
                (the server's file becomes the replica; a missing file is created). A :ro region refuses pushes.
                Runs until SIGTERM (exit 0) or Ctrl-C (exit 130), which end every connection cleanly; logs each
                connection, stream and its end on stderr with an ISO-8601 time (none under the systemd journal).

                Connections use TLS 1.3 with this server's identity (deltasync keygen) and accept only clients
                whose certificate fingerprint is pinned with --peer-fingerprint or --allow (or chains to --ca).
                --allow limits a region to the clients it names; any other client is told the region does not
                exist. --insecure serves plaintext to anyone (no --allow then).

                Examples:
                  deltasync serve --listen 0.0.0.0:7070 --region vm=/var/lib/vm/disk.img:ro --peer-fingerprint SHA256:9c1e...
                  deltasync serve --region backup=/srv/backup/disk.img:rw --allow backup=push:SHA256:3f2a... --require-blake3 backup
                  deltasync serve --region cache=/dev/shm/cache.bin --insecure
                """;
    }

    @Override
    Options ownOptions() {
        return SecurityOptions.addTo(new Options().addOption(LISTEN).addOption(REGION).addOption(INTERVAL)
                .addOption(COMPRESS).addOption(THREADS).addOption(MAX_RATE).addOption(ALLOW).addOption(REQUIRE_BLAKE3).addOption(ALLOW_RESIZE).addOption(FOLLOW_SYMLINKS)
                .addOption(LogLines.QUIET).addOption(LogLines.VERBOSE).addOption(ConfigFile.OPTION)
                .addOption(MetricsOption.OPTION), PEER_FINGERPRINT);
    }

    @Override
    ExitCode run(CommandLine line, Io io) throws IOException, InterruptedException {
        if (!line.getArgList().isEmpty()) {
            throw CliException.usage("unexpected argument '" + line.getArgList().getFirst()
                    + "' (regions are given as --region NAME=PATH)");
        }
        String[] specs = line.getOptionValues(REGION);
        if (specs == null) {
            throw CliException.usage("no regions to serve: add --region NAME=PATH[:ro|:rw]");
        }
        List<ExposedRegion> regions = new ArrayList<>();
        for (String spec : specs) {
            regions.add(RegionSpec.parse(spec));
        }
        List<RegionSpec.Grant> grants = new ArrayList<>();
        for (String allow : values(line, ALLOW)) {
            grants.add(RegionSpec.parseAllow(allow));
        }
        if (!grants.isEmpty() && line.hasOption(SecurityOptions.INSECURE)) {
            throw CliException.usage("--allow cannot be combined with --insecure: without TLS no client has an"
                    + " identity to check (plaintext serves every region to anyone)");
        }
        regions = RegionSpec.withPolicies(regions, grants, values(line, REQUIRE_BLAKE3), values(line, ALLOW_RESIZE));
        Set<String> followSymlinks = new LinkedHashSet<>(values(line, FOLLOW_SYMLINKS));
        for (String name : followSymlinks) {
            RegionSpec.requireServed(regions, name, "--follow-symlinks");
        }
        regions = RegionChecks.checked(regions, followSymlinks);
        Set<Fingerprint> granted = new LinkedHashSet<>();
        grants.forEach(g -> granted.add(g.peer()));
        Security security = SecurityOptions.configure(line, io, granted, "no client could connect: pin clients with"
                + " --peer-fingerprint FP or --allow NAME=pull:FP (a client's fingerprint is what its 'deltasync keygen'"
                + " printed), or trust a CA with --ca FILE");
        RemoteAddress listen = RemoteAddress.parseListen(line.getOptionValue(LISTEN, "127.0.0.1:7070"));
        ServerOptions defaults = ServerOptions.defaults();
        Compression compression = valueOr(line, COMPRESS, text -> orUsageError(() -> Compression.parse(text)),
                defaults.compression());
        ServerOptions options = new ServerOptions(valueOr(line, INTERVAL, Durations::interval, defaults.interval()),
                compression, Threads.parse(line.getOptionValue(THREADS)), security, Rates.parse(line, MAX_RATE));
        LogLines lines = LogLines.of(line, io, System.getenv());
        SyncListener log = new ServeLog(lines);
        MetricsOption metrics = MetricsOption.start(line);
        SyncServer server;
        try {
            server = SyncServer.start(listen.host(), listen.port(), regions, options, metrics.around(log, null));
        } catch (IOException e) {
            metrics.close();
            throw new CliException(ExitCode.FAILURE, e.getMessage(), e);
        }
        io.err().printf("deltasync serve: listening on %s (%s transport), %d region(s):%n",
                HostPort.format(listen.host(), server.port()), Networking.transport(), regions.size());
        regions.forEach(r -> io.err().printf("  %s = %s (%s)%n", r.name(), r.path(), RegionSpec.describeAccess(r)));
        io.err().println("  security: " + SecurityOptions.describe(security));
        metrics.url().ifPresent(url -> io.err().println("  metrics: " + url));
        if (options.rateLimit() != RateLimit.UNLIMITED) {
            io.err().println("  max rate: " + Sizes.format(options.rateLimit().bytesPerSecond()) + "/s, shared by all streams");
        }
        try {
            return serveUntilStopped(server, lines);
        } finally {
            metrics.close();
        }
    }

    /**
     * Serves until SIGINT or SIGTERM, then ends every connection with GOAWAY(NO_ERROR) and waits for the streams
     * to record their replicas' state: 0 after SIGTERM (what a service manager expects), 130 after SIGINT.
     */
    private static ExitCode serveUntilStopped(SyncServer server, LogLines log) throws InterruptedException {
        CountDownLatch stopping = new CountDownLatch(1);
        Signals.Stop signal;
        try (Signals signals = Signals.install(log)) {
            signals.whenStopped(stopping::countDown);
            stopping.await();
            signal = signals.received().orElseThrow();
            server.close();
            log.event("stopped: every connection closed, every stream ended");
        }
        return signal == Signals.Stop.INT ? ExitCode.INTERRUPTED : ExitCode.OK;
    }

    private static List<String> values(CommandLine line, Option option) {
        String[] values = line.getOptionValues(option);
        return values == null ? List.of() : List.of(values);
    }
}
