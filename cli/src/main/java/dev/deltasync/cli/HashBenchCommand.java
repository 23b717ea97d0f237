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
        return "[--size SIZE] [--chunk-size SIZE] [--threads N] [--json]";
    }

    @Override
    String description() {
        return """
                Maps a file of random bytes and hashes it in chunks with every algorithm deltasync offers
                (xxh3-64, xxh3-128, blake3, crc32c, crc32), on one thread and on N threads, next to a plain
                memory read of the same mapping: the physical ceiling. GB/s are 10^9 bytes per second.

                Examples:
                  deltasync hash-bench --size 256MiB
                  deltasync hash-bench --size 1GiB --chunk-size 1MiB --threads 2 --json
                """;
    }

    @Override
    Options ownOptions() {
        return new Options().addOption(SIZE).addOption(CHUNK).addOption(THREADS).addOption(TIME)
                .addOption(FILE).addOption(JSON);
    }

    @Override
    ExitCode run(CommandLine line, Io io) throws IOException {
        long size = Sizes.parse(line.getOptionValue(SIZE, "1GiB"));
        int chunkSize = ChunkSizes.parse(line.getOptionValue(CHUNK, "64KiB"));
        int threads = Threads.parse(line.getOptionValue(THREADS));
        Duration time = Durations.parse(line.getOptionValue(TIME, "1s"));
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
            List<Row> rows = measure(region.segment(), chunkSize, threads, time, io);
            print(rows, json, io);
        } finally {
            if (generated != null) {
                Files.deleteIfExists(generated);
            }
        }
        return ExitCode.OK;
    }

    private record Row(String algorithm, int bits, int chunkSize, double oneThread, double allThreads,
                       int threads, double ratio) {
    }

    private static List<Row> measure(MemorySegment region, int chunkSize, int threads, Duration time, Io io) {
        io.err().printf("measuring memory-read baseline (%s mapped, %d threads)%n", Sizes.format(region.byteSize()), threads);
        double memOne = HashThroughput.measureMemoryRead(region, 1, time).gbPerSecond();
        double memAll = HashThroughput.measureMemoryRead(region, threads, time).gbPerSecond();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("memory-read", 0, chunkSize, memOne, memAll, threads, 1.0));
        for (HashAlgorithm algorithm : HashAlgorithm.values()) {
            io.err().printf("measuring %s%n", algorithm.cliName());
            double one = HashThroughput.measure(algorithm, region, chunkSize, 1, time).gbPerSecond();
            double all = HashThroughput.measure(algorithm, region, chunkSize, threads, time).gbPerSecond();
            rows.add(new Row(algorithm.cliName(), algorithm.digestLength() * 8, chunkSize, one, all, threads, one / memOne));
        }
        return rows;
    }

    private static void print(List<Row> rows, boolean json, Io io) {
        if (json) {
            for (Row r : rows) {
                io.out().printf(Locale.ROOT, "{\"algorithm\":\"%s\",\"digest_bits\":%d,\"chunk_size\":%d,"
                                + "\"gbps_1_thread\":%.3f,\"gbps_all_threads\":%.3f,\"threads\":%d,"
                                + "\"ratio_to_memory_read\":%.3f}%n",
                        r.algorithm(), r.bits(), r.chunkSize(), r.oneThread(), r.allThreads(), r.threads(), r.ratio());
            }
            return;
        }
        int threads = rows.getFirst().threads();
        io.out().printf(Locale.ROOT, "%-12s %6s %10s %12s %14s %14s%n", "algorithm", "bits", "chunk",
                "GB/s 1 thr", "GB/s " + threads + " thr", "vs mem-read");
        for (Row r : rows) {
            io.out().printf(Locale.ROOT, "%-12s %6s %10s %12.2f %14.2f %13.0f%%%n", r.algorithm(),
                    r.bits() == 0 ? "-" : Integer.toString(r.bits()), Sizes.format(r.chunkSize()),
                    r.oneThread(), r.allThreads(), r.ratio() * 100);
        }
    }
}
