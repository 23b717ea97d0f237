package dev.deltasync.cli;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.ForwardingListener;
import dev.deltasync.sync.Networking;
import dev.deltasync.sync.RateLimit;
import dev.deltasync.sync.Relay;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import dev.deltasync.sync.SyncServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * {@code pull --serve HOST:PORT}: the pull's replicas are also served, as relays, to downstream pullers (README,
 * "Relays"). Each pair's region is served under its upstream name (or {@code --serve-as}), read-only, with serve's
 * {@code --allow} pins, this side's identity, and {@code --insecure} for both sides alike.
 */
final class Relaying implements AutoCloseable {
    static final Option SERVE = Option.builder().longOpt("serve").hasArg().argName("HOST:PORT")
            .desc("also serve the replica to downstream pullers on HOST:PORT, as a relay: they get each epoch this"
                    + " pull verified, and it never hashes the replica to serve it (following only, not with --once;"
                    + " downstream pulls use this pull's --hash and chunk size; --max-rate caps the downstream streams"
                    + " together with a bucket of their own, so they never starve the pull)").get();
    static final Option SERVE_AS = Option.builder().longOpt("serve-as").hasArg().argName("NAME")
            .desc("with --serve and one pair: the region name downstream pullers ask for (default: the upstream's)")
            .get();

    /** No relay: the pull serves nothing. */
    static final Relaying NONE = new Relaying(null, Map.of(), List.of(), null);

    private final RemoteAddress listen;
    private final Map<String, Relay> relays;
    private final List<ExposedRegion> regions;
    private final Security security;
    private SyncServer server;

    private Relaying(RemoteAddress listen, Map<String, Relay> relays, List<ExposedRegion> regions, Security security) {
        this.listen = listen;
        this.relays = relays;
        this.regions = regions;
        this.security = security;
    }

    /** The relays {@code line} asks for, or {@link #NONE}; usage errors for what cannot be relayed. */
    static Relaying of(CommandLine line, List<SyncJob> jobs, SyncOptions options, Security client,
                       SyncListener log) {
        if (!line.hasOption(SERVE)) {
            for (Option option : List.of(SERVE_AS, ServeCommand.ALLOW)) {
                if (line.hasOption(option)) {
                    throw CliException.usage("--" + option.getLongOpt() + " is an option of a relay: add --serve HOST:PORT");
                }
            }
            return NONE;
        }
        if (options.once()) {
            throw CliException.usage("--serve relays a following pull; it cannot be combined with --once");
        }
        String address = line.getOptionValue(SERVE);
        if (address.contains("/")) {
            throw CliException.usage("--serve takes HOST:PORT, not a region: '" + address + "' (the name downstream"
                    + " pullers ask for is the upstream's, or --serve-as NAME)");
        }
        if (line.hasOption(SERVE_AS) && jobs.size() != 1) {
            throw CliException.usage("--serve-as names the one region relayed; with " + jobs.size() + " pairs each is"
                    + " served under its upstream name");
        }
        Map<String, Relay> relays = new LinkedHashMap<>();
        List<ExposedRegion> regions = new ArrayList<>();
        for (SyncJob job : jobs) {
            String name = line.getOptionValue(SERVE_AS, job.remoteName());
            ExposedRegion region = Command.orUsageError(() -> new ExposedRegion(name, job.localPath(), true));
            if (relays.put(name, new Relay(name, job.localPath(), log)) != null) {
                throw CliException.usage("region '" + name + "' is pulled twice: a relay serves each name once");
            }
            regions.add(region);
        }
        List<RegionSpec.Grant> grants = new ArrayList<>();
        for (String allow : line.getOptionValues(ServeCommand.ALLOW) == null ? new String[0]
                : line.getOptionValues(ServeCommand.ALLOW)) {
            grants.add(RegionSpec.parseAllow(allow));
        }
        regions = RegionSpec.withPolicies(regions, grants, List.of(), List.of());
        return new Relaying(RemoteAddress.parseListen(address), relays, regions, serverConfig(client, grants));
    }

    /**
     * The relay's side of its connections: plaintext when the pull is ({@code --insecure} means both), else this
     * side's identity, trusting the pullers {@code --allow} pins and the pull's {@code --ca}.
     */
    private static Security serverConfig(Security client, List<RegionSpec.Grant> grants) {
        if (client.plaintext() && !grants.isEmpty()) {
            throw CliException.usage("--allow cannot be combined with --insecure: without TLS no puller has an"
                    + " identity to check (plaintext relays every region to anyone)");
        }
        Set<Fingerprint> pins = new LinkedHashSet<>();
        grants.forEach(grant -> pins.add(grant.peer()));
        try {
            return client.pinning(pins);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("no downstream puller could connect to the relay: pin each with --allow"
                    + " NAME=pull:FP (its fingerprint, from its 'deltasync keygen'), or trust a CA with --ca FILE");
        }
    }

    /** The pull's jobs, each telling its relay of the epochs it applies. */
    List<SyncJob> jobs(List<SyncJob> jobs) {
        if (relays.isEmpty()) {
            return jobs;
        }
        List<SyncJob> relayed = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            SyncJob job = jobs.get(i);
            relayed.add(SyncJob.relayedPull(job.localPath(), job.remoteName(), relays.get(regions.get(i).name())));
        }
        return relayed;
    }

    /** Starts serving, with serve's log lines and per-hop lag at -v; prints where. */
    void start(SyncOptions options, LogLines lines, MetricsOption metrics, Io io) throws InterruptedException {
        if (relays.isEmpty()) {
            return;
        }
        ServerOptions defaults = ServerOptions.defaults();
        Duration interval = options.interval().isZero() ? defaults.interval() : options.interval();
        // A bucket of the server's own: downstream copies sharing the pull's would starve the stream they all need.
        ServerOptions served = new ServerOptions(interval, options.compression(), options.scanThreads(), security,
                RateLimit.of(options.rateLimit().bytesPerSecond()));
        try {
            server = SyncServer.start(listen.host(), listen.port(), regions, relays, served,
                    metrics.around(new HopLag(new ServeLog(lines), lines), null));
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILURE, "--serve " + listen.hostPort() + ": " + e.getMessage(), e);
        }
        io.err().printf("deltasync pull: relaying, listening on %s (%s transport), %d region(s):%n",
                listen.host() + ":" + server.port(), Networking.transport(), regions.size());
        regions.forEach(r -> io.err().printf("  %s = %s (%s, each verified epoch of its upstream)%n", r.name(), r.path(),
                RegionSpec.describeAccess(r)));
        io.err().println("  security: " + SecurityOptions.describe(security));
    }

    /** Stops serving (every downstream stream ends cleanly), then the relays. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        relays.values().forEach(Relay::close);
    }

    /**
     * At -v, each downstream epoch with its lag twice: end to end (against the upstream's source time, which the
     * relay forwards) and behind this relay (against the upstream epoch the relay verified last).
     */
    private final class HopLag extends ForwardingListener {
        private final LogLines lines;

        HopLag(SyncListener next, LogLines lines) {
            super(next);
            this.lines = lines;
        }

        @Override
        public void epochCompleted(EpochReport epoch) {
            super.epochCompleted(epoch);
            Relay relay = relays.get(epoch.region());
            Instant now = Instant.now();
            if (relay == null || epoch.lagAt(now).isEmpty()) {
                return;
            }
            Duration behindRelay = relay.sourceTime().map(time -> Duration.between(epoch.verifiedSourceTime()
                    .orElseThrow(), time)).orElse(Duration.ZERO);
            lines.detail(String.format(Locale.ROOT, "'%s': downstream lag %.3f s end to end, %.3f s behind this relay",
                    epoch.region(), epoch.lagAt(now).get().toNanos() / 1e9, behindRelay.toNanos() / 1e9));
        }
    }
}
