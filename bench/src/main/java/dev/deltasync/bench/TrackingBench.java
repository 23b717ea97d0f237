package dev.deltasync.bench;

import dev.deltasync.embed.Replicator;
import dev.deltasync.embed.ReplicatorListener;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncServer;
import dev.deltasync.sync.region.MappedRegion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Source CPU per epoch, tracked against scanning, for regions of several sizes (issue 11): an embedded source maps a
 * sparse file, a writer makes 100 random 4 KiB page writes a second through the mapping, epochs run every second,
 * and the replica is a server in a child JVM, so this process's CPU time is the source's (plus the negligible
 * writer). Not a test: run by hand, figures go to README.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.deltasync.bench.TrackingBench \
 *     SOURCE_DIR REPLICA_DIR 1 4 16
 * </pre>
 * The directories hold the sparse files (deleted afterwards); the numbers are region sizes in GiB. A replica on
 * tmpfs ({@code /dev/shm/...}) keeps one machine's replica from bounding the epochs (its msync, its page cache):
 * only the pages written reach it, since a new replica is not hashed.
 */
public final class TrackingBench {
    private static final int MEASURED_EPOCHS = Integer.getInteger("bench.epochs", 8);
    /** Epochs after the initial copy that are not measured: the JIT and the GC settle in them. */
    private static final int WARM_UP_EPOCHS = 3;
    private static final int WRITES_PER_SECOND = 100;
    private static final int PAGE = 4096;

    private TrackingBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve(Path.of(args[1]), Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length < 3) {
            System.err.println("usage: TrackingBench SOURCE_DIR REPLICA_DIR SIZE_GIB...");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path replicaDir = Path.of(args[1]);
        Files.createDirectories(dir);
        Files.createDirectories(replicaDir);
        List<String> names = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            for (ScanMode mode : ScanMode.values()) {
                names.add(regionName(Integer.parseInt(args[i]), mode));
            }
        }
        Process replica = startReplica(replicaDir, names);
        try {
            int port = readPort(replica);
            System.out.println("| region | mode | source CPU per epoch (ms) | epoch duration (ms) | hashed per epoch |");
            System.out.println("|---|---|---|---|---|");
            for (int i = 2; i < args.length; i++) {
                int gib = Integer.parseInt(args[i]);
                Path source = dir.resolve("source-" + gib + "g.bin");
                try (MappedRegion region = MappedRegion.openResized(source, (long) gib << 30)) {
                    for (ScanMode mode : ScanMode.values()) {
                        System.out.println(run(region.segment(), port, gib, mode));
                        deleteReplica(replicaDir, regionName(gib, mode));
                    }
                } finally {
                    Files.deleteIfExists(source);
                }
            }
        } finally {
            replica.getOutputStream().close(); // the child ends at EOF
            replica.waitFor(30, TimeUnit.SECONDS);
            replica.destroy();
        }
    }

    private static String regionName(int gib, ScanMode mode) {
        return "r" + gib + "g-" + mode.name().toLowerCase(Locale.ROOT);
    }

    /**
     * One case, over {@link #MEASURED_EPOCHS} epochs after the initial copy and {@link #WARM_UP_EPOCHS}: the median
     * CPU, duration and bytes hashed per epoch.
     */
    private static String run(MemorySegment segment, int port, int gib, ScanMode mode) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread writer = Thread.ofPlatform().daemon().unstarted(() -> writePages(segment));
        BlockingQueue<long[]> events = new LinkedBlockingQueue<>(); // cpu nanos, lag nanos, bytes scanned
        ReplicatorListener listener = new ReplicatorListener() {
            @Override
            public void epoch(EpochReport event) {
                long lag = event.lagAt(Instant.now()).orElse(Duration.ZERO).toNanos(); // the verified epoch's duration
                // The writer's own CPU (the application's writes) is not the replicator's.
                long writerCpu = writer.isAlive() ? Math.max(0, threads.getThreadCpuTime(writer.threadId())) : 0;
                events.add(new long[] {processCpuNanos() - writerCpu, lag, event.totals().bytesScanned()});
            }
        };
        String why;
        try (Replicator replicator = Replicator.source(segment, regionName(gib, mode))
                .to("127.0.0.1:" + port, Security.insecure()).interval(Duration.ofSeconds(1))
                .writeTracking(mode == ScanMode.TRACKED).fullScanEvery(Duration.ofHours(1)).listener(listener)
                .start()) {
            if (replicator.scanMode() != mode) {
                return "| " + gib + " GiB | " + mode + " | unavailable: " + replicator.scanModeReason() + " | | |";
            }
            why = replicator.scanModeReason();
            replicator.syncNow(); // the initial copy (a full scan on both sides), not measured
            writer.start();
            try {
                events.clear();
                for (int i = 0; i < WARM_UP_EPOCHS; i++) {
                    events.poll(10, TimeUnit.MINUTES);
                }
                long[] previous = events.poll(10, TimeUnit.MINUTES);
                long[] cpu = new long[MEASURED_EPOCHS];
                long[] duration = new long[MEASURED_EPOCHS];
                long[] hashed = new long[MEASURED_EPOCHS];
                for (int i = 0; i < MEASURED_EPOCHS; i++) {
                    long[] next = events.poll(10, TimeUnit.MINUTES);
                    cpu[i] = next[0] - previous[0];
                    duration[i] = next[1];
                    hashed[i] = next[2] - previous[2];
                    previous = next;
                    System.err.printf(Locale.ROOT, "%s epoch: cpu %.1f ms, %.0f ms, %d bytes hashed%n",
                            regionName(gib, mode), cpu[i] / 1e6, duration[i] / 1e6, hashed[i]);
                }
                return String.format(Locale.ROOT, "| %d GiB | %s | %.1f | %.0f | %s |", gib, mode,
                        median(cpu) / 1e6, median(duration) / 1e6, bytes(median(hashed)));
            } finally {
                writer.interrupt();
                writer.join();
            }
        } finally {
            System.err.println(regionName(gib, mode) + " done");
        }
    }

    /** 100 random whole-page writes a second, until interrupted. */
    private static void writePages(MemorySegment segment) {
        SplittableRandom random = new SplittableRandom(7);
        byte[] page = new byte[PAGE];
        long pages = segment.byteSize() / PAGE;
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            random.nextBytes(page);
            MemorySegment.copy(MemorySegment.ofArray(page), 0, segment, random.nextLong(pages) * PAGE, PAGE);
            next += 1_000_000_000L / WRITES_PER_SECOND;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * This process's CPU time in nanoseconds, every thread (GC and JIT too) counted: the sum of
     * {@code /proc/self/task/*}{@code /schedstat}'s first field ({@code getProcessCpuTime} counts 10 ms ticks).
     */
    private static long processCpuNanos() {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("schedstat"));
                    total += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
                } catch (IOException ended) {
                    // the thread ended meanwhile; its time is lost, as it is to getrusage's successors
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return total;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String bytes(long n) {
        return n >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f KiB", n / 1024.0);
    }

    private static Process startReplica(Path dir, List<String> names) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                TrackingBench.class.getName(), "serve", dir.toString()));
        command.addAll(names);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int readPort(Process replica) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(replica.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("port ")) {
            throw new IOException("the replica process did not start: " + line);
        }
        return Integer.parseInt(line.substring(5));
    }

    private static void deleteReplica(Path dir, String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name + ".bin"));
        Files.deleteIfExists(dir.resolve(name + ".bin.deltasync-state"));
    }

    /** The child: a server offering each named region as DIR/NAME.bin, read-write, until stdin ends. */
    private static void serve(Path dir, String[] names) throws Exception {
        List<ExposedRegion> regions = new ArrayList<>();
        for (String name : names) {
            regions.add(new ExposedRegion(name, dir.resolve(name + ".bin"), false));
        }
        try (SyncServer server = SyncServer.start("127.0.0.1", 0, regions,
                ServerOptions.defaults().withReverifyEvery(Duration.ZERO), SyncListener.SILENT)) {
            System.out.println("port " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our stdin
            }
        }
    }
}
