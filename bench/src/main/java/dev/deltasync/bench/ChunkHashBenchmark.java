package dev.deltasync.bench;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.HashAlgorithm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * Hashing every chunk of a 256 MiB mapped file, per algorithm and chunk size; compare with
 * {@link MemoryReadBenchmark}, the ceiling. One operation is one byte ({@code @OperationsPerInvocation(REGION)}
 * on a full pass), so the score in ops/s is bytes/s: divide by 10^9 for GB/s. One thread by default; with
 * {@code -t N} every thread hashes the whole mapping with its own hasher and the score is their sum.
 *
 * <p>XXH3 runs on the JVM's chosen backend (the system's libxxhash where installed); the hash4j fallback is
 * measured by forking with {@code -jvmArgsAppend -Ddeltasync.xxh3=hash4j}.
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

    /** Each thread's hasher and digest table, as each scan worker has its own. */
    @State(Scope.Thread)
    public static class Worker {
        ChunkHasher hasher;
        byte[] digests;
        byte[] copy;

        @Setup(Level.Trial)
        public void setUp(ChunkHashBenchmark b) {
            hasher = b.algorithm.newHasher();
            digests = new byte[REGION / b.chunkSize * b.algorithm.digestLength()];
            copy = new byte[b.chunkSize];
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        file = new MappedTestFile(REGION, 42);
        region = file.segment();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        file.close();
    }

    /** In place, as a scan hashes the mapping; digests go to a table-like array, as a scan writes them. */
    @Benchmark
    @OperationsPerInvocation(REGION)
    public byte[] hashEveryChunk(Worker w) {
        int len = algorithm.digestLength();
        for (int i = 0, chunks = REGION / chunkSize; i < chunks; i++) {
            w.hasher.hash(region.asSlice((long) i * chunkSize, chunkSize), w.digests, i * len);
        }
        return w.digests;
    }

    /** As the source sends a chunk: copy it to a heap array, then hash the copy (hash what you send). */
    @Benchmark
    @OperationsPerInvocation(REGION)
    public byte[] copyThenHashEveryChunk(Worker w) {
        int len = algorithm.digestLength();
        MemorySegment copy = MemorySegment.ofArray(w.copy);
        for (int i = 0, chunks = REGION / chunkSize; i < chunks; i++) {
            MemorySegment.copy(region, ValueLayout.JAVA_BYTE, (long) i * chunkSize, w.copy, 0, chunkSize);
            w.hasher.hash(copy, w.digests, i * len);
        }
        return w.digests;
    }
}
