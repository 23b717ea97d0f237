package dev.deltasync.bench;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.HashAlgorithm;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * One thread hashing every chunk of a 256 MiB mapped file, per algorithm and chunk size; compare with
 * {@link MemoryReadBenchmark}, the ceiling. One operation is one byte ({@code @OperationsPerInvocation(REGION)} on a full pass),
 * so the score in ops/s is bytes/s: divide by 10^9 for GB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class ChunkHashBenchmark {
    static final int REGION = 256 << 20;

    @Param({"XXH3_64", "XXH3_128", "BLAKE3", "CRC32C", "CRC32"})
    public HashAlgorithm algorithm;

    @Param({"4096", "65536", "1048576"})
    public int chunkSize;

    private MappedTestFile file;
    private MemorySegment region;
    private ChunkHasher hasher;
    private byte[] digests;

    @Setup(Level.Trial)
    public void setUp() {
        file = new MappedTestFile(REGION, 42);
        region = file.segment();
        hasher = algorithm.newHasher();
        digests = new byte[REGION / chunkSize * algorithm.digestLength()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        file.close();
    }

    /** Digests go to a table-like array, as a scan writes them. */
    @Benchmark
    @OperationsPerInvocation(REGION)
    public byte[] hashEveryChunk() {
        int len = algorithm.digestLength();
        for (int i = 0, chunks = REGION / chunkSize; i < chunks; i++) {
            hasher.hash(region.asSlice((long) i * chunkSize, chunkSize), digests, i * len);
        }
        return digests;
    }
}
