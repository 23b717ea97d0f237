package dev.deltasync.cli;

import dev.deltasync.peer.Identity;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.JobResult;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncClient;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.ForwardingListener;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import dev.deltasync.sync.SyncServer;
import dev.deltasync.sync.SyncStats;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code deltasync demo}: the whole product in one command, no set-up. A server offers a generated
 * region on loopback, a client pulls it, a writer keeps changing pages, and the live stats show only
 * the changed chunks travelling; at the end the replica is compared byte for byte.
 */
final class DemoCommand extends Command {
    private static final Option SIZE = Option.builder().longOpt("size").hasArg().argName("SIZE")
            .desc("region size (default 256MiB)").get();
    private static final Option DURATION = Option.builder().longOpt("duration").hasArg().argName("DURATION")
            .desc("how long the writer runs (default 10s)").get();
    private static final Option RATE = Option.builder().longOpt("rate").hasArg().argName("PAGES")
            .desc("4 KiB pages the writer changes per second (default 200)").get();
    private static final Option INTERVAL = Option.builder().longOpt("interval").hasArg().argName("DURATION")
            .desc("scan interval (default 500ms)").get();

    @Override
    String name() {
        return "demo";
    }

    @Override
    String summary() {
        return "see it work: serve, pull and a busy writer on loopback, with live stats";
    }

    @Override
    String synopsis() {
        return "[--size SIZE] [--duration DURATION] [--rate PAGES] [--interval DURATION]";
    }

    @Override
    String description() {
        return """
                Generates a region of random bytes in a temporary directory, serves it on 127.0.0.1, pulls it
                into a replica over one connection, and runs a writer that rewrites random 4 KiB pages through
                its own mapping. Each scan prints what changed and what crossed the wire. When the writer stops,
                the replica converges and is compared byte for byte with the source. Everything is deleted at
                the end.

                Examples:
                  deltasync demo
                  deltasync demo --size 1GiB --duration 30s --rate 1000
                """;
    }

    @Override
    Options ownOptions() {
        return new Options().addOption(SIZE).addOption(DURATION).addOption(RATE).addOption(INTERVAL);
    }

    @Override
    ExitCode run(CommandLine line, Io io) throws Exception {
        long size = Sizes.parse(line.getOptionValue(SIZE, "256MiB"));
        Duration duration = Durations.parse(line.getOptionValue(DURATION, "10s"), "--duration",
                Duration.ZERO, Durations.LONGEST);
        Duration interval = Durations.interval(line.getOptionValue(INTERVAL, "500ms"));
        int rate = Threads.wholeNumber(line.getOptionValue(RATE, "200"), "--rate", 1, 1_000_000);
        if (size < 4096) {
            throw CliException.usage("--size must be at least 4KiB");
        }
        Path dir = Files.createTempDirectory("deltasync-demo-");
        try {
            return demo(dir, size, duration, interval, rate, io);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private ExitCode demo(Path dir, long size, Duration duration, Duration interval, int rate, Io io)
            throws Exception {
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        io.out().printf("generating a %s region of random bytes in %s%n", Sizes.format(size), dir);
        try (MappedRegion region = MappedRegion.openResized(source, size)) {
            RandomFill.fill(region.segment(), System.nanoTime());
        }
        // Real TLS 1.3 with mutual pinning, as serve/pull would use it, on identities that live only in memory.
        Identity serverIdentity = Identity.newSelfSigned();
        Identity clientIdentity = Identity.newSelfSigned();
        Security serverSecurity = Security.tls(serverIdentity, Set.of(clientIdentity.fingerprint()));
        Security clientSecurity = Security.tls(clientIdentity, Set.of(serverIdentity.fingerprint()));
        ServerOptions serverOptions = new ServerOptions(interval, ServerOptions.defaults().compression(),
                ServerOptions.defaults().scanThreads(), serverSecurity);
        try (SyncServer server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("demo", source, true)),
                serverOptions, SyncListener.SILENT);
             SyncClient client = SyncClient.connect("127.0.0.1", server.port(), clientSecurity);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            io.out().printf("serving it on 127.0.0.1:%d; pulling it into a replica, scanning every %d ms%n",
                    server.port(), interval.toMillis());
            io.out().printf("over TLS 1.3 with throwaway identities, each side pinning the other (server %s)%n",
                    serverIdentity.fingerprint());
            LiveStats live = new LiveStats(io);
            SyncJob job = new SyncJob(SyncJob.Direction.PULL, replica, "demo");
            Future<List<JobResult>> pull = threads.submit(() -> client.runAll(List.of(job),
                    SyncOptions.defaults(), live));
            live.awaitFirstVerified();
            io.out().printf("writer: rewriting %d random 4 KiB pages per second for %d s%n", rate, duration.toSeconds());
            PageWriter writer = new PageWriter(new SplittableRandom());
            long written = writer.run(source, duration, rate);
            io.out().printf("writer stopped after %d page writes; waiting for the replica to converge%n", written);
            boolean identical = awaitIdentical(source, replica, live, writer.lastWriteNanos(), Duration.ofSeconds(60));
            client.close();
            pull.cancel(true);
            io.out().println(identical
                    ? "replica verified and byte-for-byte identical to the source"
                    : "replica did NOT converge within 60 s");
            return identical ? ExitCode.OK : ExitCode.REFUSED;
        }
    }

    /**
     * Waits for an epoch verified after the writer's last page and a byte-for-byte match. The source sends no epoch
     * when a scan finds nothing changed, so the last epoch may have begun before the writer's last page: the
     * file comparison, not the epoch's start, is what proves the replica caught up.
     */
    private static boolean awaitIdentical(Path source, Path replica, LiveStats live, long lastWrite, Duration timeout)
            throws IOException, InterruptedException {
        long writerStopped = lastWrite;
        long deadline = writerStopped + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (live.verifiedSince(writerStopped) && Files.mismatch(source, replica) == -1) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Prints one line per epoch, and tracks when the replica was last verified. */
    private static final class LiveStats extends ForwardingListener {
        private final Io io;
        private final AtomicLong lastVerifiedNanos = new AtomicLong();
        private long previousWire;
        private long previousChunks;

        LiveStats(Io io) {
            super(ProgressBar.orSilent(io.terminal(), io));
            this.io = io;
        }

        @Override
        public synchronized void epochCompleted(EpochReport epoch) {
            super.epochCompleted(epoch);
            SyncStats.Snapshot s = epoch.totals();
            boolean verified = epoch.verified();
            long wire = s.wireBytesReceived() + s.wireBytesSent();
            io.out().printf(Locale.ROOT, "epoch %3d: %5d chunks changed, %9s on the wire, %s%n", epoch.epoch(),
                    s.chunksChanged() - previousChunks, Sizes.format(wire - previousWire),
                    verified ? "verified identical" : "NOT verified, resyncing");
            previousWire = wire;
            previousChunks = s.chunksChanged();
            if (verified) {
                lastVerifiedNanos.set(System.nanoTime());
            }
            notifyAll();
        }

        synchronized void awaitFirstVerified() throws InterruptedException {
            while (lastVerifiedNanos.get() == 0) {
                wait();
            }
        }

        /** True when an epoch was verified after {@code nanos}. */
        boolean verifiedSince(long nanos) {
            return lastVerifiedNanos.get() - nanos > 0;
        }
    }
}
