package dev.deltasync.cli;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.mux.Transport;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncServer;
import dev.deltasync.sync.codec.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code deltasync serve}: offers named regions to pushers and pullers until stopped. */
final class ServeCommand extends Command {
    private static final Option LISTEN = Option.builder().longOpt("listen").hasArg().argName("HOST:PORT")
            .desc("address to listen on (default 127.0.0.1:7070; 0.0.0.0:7070 for every interface)").get();
    private static final Option REGION = Option.builder().longOpt("region").hasArg().argName("NAME=PATH[:ro|:rw]")
            .desc("a region to offer, repeatable; read-only unless :rw (pushers need :rw)").get();
    private static final Option INTERVAL = Option.builder().longOpt("interval").hasArg().argName("DURATION")
            .desc("time between scans of regions that clients pull (default 1s)").get();
    private static final Option COMPRESS = Option.builder().longOpt("compress").hasArg().argName("CODEC")
            .desc("codec for chunks sent to pullers: zstd[:LEVEL] (default zstd:1) or none").get();
    private static final Option THREADS = Option.builder().longOpt("threads").hasArg().argName("N")
            .desc("hashing threads (default: all cores)").get();

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
        return "--region NAME=PATH[:ro|:rw] [--region ...] [--listen HOST:PORT] [options]";
    }

    @Override
    String description() {
        return """
                Offers the named regions, and only those, on one port. Clients 'pull' a region (the server is
                the source; it scans once per --interval however many clients pull) or 'push' into a :rw region
                (the server's file becomes the replica; a missing file is created). A :ro region refuses pushes.
                Runs until interrupted (Ctrl-C or SIGTERM); logs one line per stream on stderr.

                Examples:
                  deltasync serve --listen 0.0.0.0:7070 --region vm=/var/lib/vm/disk.img:ro
                  deltasync serve --region backup=/srv/backup/disk.img:rw --region cache=/dev/shm/cache.bin
                """;
    }

    @Override
    Options ownOptions() {
        return new Options().addOption(LISTEN).addOption(REGION).addOption(INTERVAL).addOption(COMPRESS)
                .addOption(THREADS);
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
            regions.add(checked(RegionSpec.parse(spec)));
        }
        RemoteAddress listen = RemoteAddress.parseListen(line.getOptionValue(LISTEN, "127.0.0.1:7070"));
        Compression compression;
        try {
            compression = Compression.parse(line.getOptionValue(COMPRESS, "zstd:1"));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        ServerOptions options = new ServerOptions(Durations.parse(line.getOptionValue(INTERVAL, "1s")), compression,
                Threads.parse(line.getOptionValue(THREADS)), MuxConfig.defaults());
        SyncListener log = new SyncListener() {
            @Override
            public void info(String message) {
                io.err().println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + message);
            }
        };
        SyncServer server;
        try {
            server = SyncServer.start(listen.host(), listen.port(), regions, options, log);
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILURE, e.getMessage(), e);
        }
        io.err().printf("deltasync serve: listening on %s (%s transport), %d region(s):%n",
                listen.host() + ":" + server.port(), Transport.best().name().toLowerCase(), regions.size());
        regions.forEach(r -> io.err().printf("  %s = %s (%s)%n", r.name(), r.path(), r.readOnly() ? "ro" : "rw"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "deltasync-serve-shutdown"));
        stopped.await();
        return ExitCode.OK;
    }

    /** Fails fast on a region that cannot work: a missing read-only file, a missing directory. */
    private static ExposedRegion checked(ExposedRegion region) {
        if (region.readOnly() && !Files.isRegularFile(region.path())) {
            throw CliException.usage("region '" + region.name() + "': " + region.path()
                    + " is not a file (a :ro region must exist)");
        }
        var parent = region.path().toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw CliException.usage("region '" + region.name() + "': directory " + parent + " does not exist");
        }
        return region;
    }
}
