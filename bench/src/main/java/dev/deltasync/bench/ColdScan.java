package dev.deltasync.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.ParallelScanner;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a {@code --once} scan costs from a cold JVM: maps FILE and scans it PASSES times with a
 * {@link ParallelScanner}, the first pass timed from the start of {@code main} (the native binding, set off by
 * {@link HashAlgorithm#prepare()} as the CLI does, included), printing each pass's wall and process CPU time.
 * Run it with the launcher's {@code --once} flags to see what a one-shot push or pull pays:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -XX:TieredStopAtLevel=1 \
 *     -cp bench/target/benchmarks.jar dev.deltasync.bench.ColdScan FILE [THREADS [CHUNK [HASH [PASSES]]]]
 * </pre>
 * THREADS defaults to all cores, CHUNK to 4096, HASH to xxh3-128, PASSES to 3.
 */
public final class ColdScan {
    private ColdScan() {}

    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        long startCpu = cpuNanos();
        if (args.length < 1) {
            System.err.println("usage: ColdScan FILE [THREADS [CHUNK [HASH [PASSES]]]]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
        HashAlgorithm hash = args.length > 3 ? HashAlgorithm.fromCliName(args[3]) : HashAlgorithm.XXH3_128;
        int passes = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        hash.prepare();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             Arena arena = Arena.ofShared();
             ParallelScanner scanner = new ParallelScanner(hash, threads)) {
            MemorySegment region = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            for (int pass = 1; pass <= passes; pass++) {
                DigestTable table = DigestTable.create(hash, region.byteSize(), chunk);
                long t0 = pass == 1 ? start : System.nanoTime();
                long c0 = pass == 1 ? startCpu : cpuNanos();
                scanner.scan(region, table);
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (cpuNanos() - c0) / 1e9;
                System.out.printf("pass %d: %.3f s wall, %.3f s CPU, %.2f GB/s, %s, %d threads, %d-byte chunks%s%n",
                        pass, wall, cpu, region.byteSize() / wall / 1e9, hash.cliName(), threads, chunk,
                        pass == 1 ? " (from JVM start of main)" : "");
            }
            System.out.println("hasher: " + hash.newHasher().implementation());
        }
    }

    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
