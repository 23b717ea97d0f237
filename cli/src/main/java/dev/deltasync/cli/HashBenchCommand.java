package dev.deltasync.cli;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.HashThroughput;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionAccess;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code deltasync hash-bench}: how fast each chunk-hash candidate runs on this machine, from a mapped file. */
final class HashBenchCommand extends Command {
    private static final Option SIZE = Option.builder().longOpt("size").hasArg().argName("SIZE")
            .desc("size of the generated file (default 1GiB)").get();
    private static final Option CHUNK = Option.builder().longOpt("chunk-size").hasArg().argName("SIZE")
            .desc("chunk size, a power of two from 4KiB to 1MiB (default 64KiB)").get();
    private static final Option THREADS = Option.builder().longOpt("threads").hasArg().argName("N")
            .desc("threads for the parallel column (default: all " + Runtime.getRuntime().availableProcessors()
                    + " cores)").get();
    private static final Option TIME = Option.builder().longOpt("time").hasArg().argName("DURATION")
            .desc("minimum time per measurement (default 1s)").get();
    private static final Option FILE = Option.builder().longOpt("file").hasArg().argName("PATH")
            .desc("hash this existing file instead of generating one (it is only read)").get();
    private static final Option HASH = Option.builder().longOpt("hash").hasArg().argName("NAMES")
            .desc("only these algorithms, comma-separated (default: all); the first one measured runs in a cold"
                    + " JVM").get();
    private static final Option JSON = Option.builder().longOpt("json")
            .desc("print one JSON object per line instead of the table").get();

    @Override
    String name() {
        return "hash-bench";
    }

    @Override
    String summary() {
        return "measure the chunk-hash algorithms on this machine";
    }

    @Override
    String synopsis() {
        return "[--size SIZE] [--chunk-size SIZE] [--threads N] [--hash NAMES] [--json]";
    }

    @Override
    String description() {
        return """
                Maps a file of random bytes and hashes it in chunks with every algorithm deltasync offers
                (xxh3-64, xxh3-128, blake3, crc32c, crc32), on one thread and on N threads, next to a plain
                memory read of the same mapping: the physical ceiling. GB/s are 10^9 bytes per second.
                The mapping is faulted in first. The first-pass column is one pass on N threads timed from
                before any set-up (threads, native library), as a --once scan runs it: it is a cold figure only
                for the first algorithm measured, so measure one with --hash for it. Which code computes each
                digest goes to stderr.

                Examples:
                  deltasync hash-bench --size 256MiB
                  deltasync hash-bench --size 256MiB --chunk-size 4KiB --hash xxh3-128
                  deltasync hash-bench --size 1GiB --chunk-size 1MiB --threads 2 --json
                """;
    }

    @Override
    Options ownOptions() {
        return new Options().addOption(SIZE).addOption(CHUNK).addOption(THREADS).addOption(TIME)
                .addOption(FILE).addOption(HASH).addOption(JSON);
    }

    @Override
    ExitCode run(CommandLine line, Io io) throws IOException {
        long size = Sizes.parse(line.getOptionValue(SIZE, "1GiB"));
        int chunkSize = ChunkSizes.parse(line.getOptionValue(CHUNK, "64KiB"));
        int threads = Threads.parse(line.getOptionValue(THREADS));
        Duration time = Durations.parse(line.getOptionValue(TIME, "1s"));
        List<HashAlgorithm> algorithms = algorithms(line.getOptionValue(HASH));
        boolean json = line.hasOption(JSON);

        Path generated = null;
        Path file;
        if (line.hasOption(FILE)) {
            file = Path.of(line.getOptionValue(FILE));
        } else {
            if (size <= 0) {
                throw CliException.usage("--size must be positive");
            }
            generated = Files.createTempFile("deltasync-hash-bench-", ".bin");
            file = generated;
            io.err().printf("generating %s of random bytes in %s%n", Sizes.format(size), file);
            try (MappedRegion region = MappedRegion.openResized(file, size)) {
                RandomFill.fill(region.segment(), 42);
            }
        }
        try (MappedRegion region = MappedRegion.open(file, RegionAccess.READ_ONLY)) {
            // Page faults are the mapping's cost, not the hash's: every row, first passes included, reads
            // resident pages (a replica's or a serving source's mapping usually is).
            region.segment().load();
            List<Row> rows = measure(region.segment(), algorithms, chunkSize, threads, time, io);
            print(rows, json, io);
        } finally {
            if (generated != null) {
                Files.deleteIfExists(generated);
            }
        }
        return ExitCode.OK;
    }

    private static List<HashAlgorithm> algorithms(String names) {
        if (names == null) {
            return List.of(HashAlgorithm.values());
        }
        List<HashAlgorithm> chosen = new ArrayList<>();
        for (String name : names.split(",", -1)) {
            try {
                chosen.add(HashAlgorithm.fromCliName(name.strip()));
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--hash: " + e.getMessage());
            }
        }
        return chosen;
    }

    /** One algorithm's figures in GB/s; the first row is the memory-read baseline the others are held to. */
    private record Row(String algorithm, String implementation, int bits, int chunkSize, double firstPass,
                       double oneThread, double allThreads, int threads) {
    }

    /**
     * Hashes first and reads the baseline last, so that the first algorithm's first pass runs in a JVM that
     * has not hashed or read the mapping yet.
     */
    private static List<Row> measure(MemorySegment region, List<HashAlgorithm> algorithms, int chunkSize,
            int threads, Duration time, Io io) {
        List<Row> rows = new ArrayList<>();
        for (HashAlgorithm algorithm : algorithms) {
            io.err().printf("measuring %s%n", algorithm.cliName());
            HashThroughput.Measurement all = HashThroughput.measure(algorithm, region, chunkSize, threads, time);
            HashThroughput.Measurement one = HashThroughput.measure(algorithm, region, chunkSize, 1, time);
            String implementation = algorithm.newHasher().implementation();
            io.err().printf("%s: %s%n", algorithm.cliName(), implementation);
            rows.add(new Row(algorithm.cliName(), implementation, algorithm.digestLength() * 8, chunkSize,
                    all.firstPass().gbPerSecond(), one.warm().gbPerSecond(), all.warm().gbPerSecond(), threads));
        }
        io.err().printf("measuring memory-read baseline (%s mapped, %d threads)%n", Sizes.format(region.byteSize()),
                threads);
        HashThroughput.Measurement memAll = HashThroughput.measureMemoryRead(region, threads, time);
        HashThroughput.Measurement memOne = HashThroughput.measureMemoryRead(region, 1, time);
        rows.addFirst(new Row("memory-read", "Java loop summing longs", 0, chunkSize, memAll.firstPass().gbPerSecond(),
                memOne.warm().gbPerSecond(), memAll.warm().gbPerSecond(), threads));
        return rows;
    }

    private static void print(List<Row> rows, boolean json, Io io) {
        double memOne = rows.getFirst().oneThread();
        if (json) {
            for (Row r : rows) {
                io.out().printf(Locale.ROOT, "{\"algorithm\":\"%s\",\"implementation\":\"%s\","
                                + "\"digest_bits\":%d,\"chunk_size\":%d,"
                                + "\"gbps_first_pass\":%.3f,\"gbps_1_thread\":%.3f,\"gbps_all_threads\":%.3f,"
                                + "\"threads\":%d,\"ratio_to_memory_read\":%.3f}%n",
                        r.algorithm(), Json.escape(r.implementation()), r.bits(), r.chunkSize(), r.firstPass(), r.oneThread(), r.allThreads(),
                        r.threads(), r.oneThread() / memOne);
            }
            return;
        }
        int threads = rows.getFirst().threads();
        io.out().printf(Locale.ROOT, "%-12s %6s %10s %10s %12s %14s %14s%n", "algorithm", "bits", "chunk",
                "1st pass", "GB/s 1 thr", "GB/s " + threads + " thr", "vs mem-read");
        for (Row r : rows) {
            io.out().printf(Locale.ROOT, "%-12s %6s %10s %10.2f %12.2f %14.2f %13.0f%%%n", r.algorithm(),
                    r.bits() == 0 ? "-" : Integer.toString(r.bits()), Sizes.format(r.chunkSize()),
                    r.firstPass(), r.oneThread(), r.allThreads(), r.oneThread() / memOne * 100);
        }
    }
}
