package dev.deltasync.bench;

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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The ceiling for {@link ChunkHashBenchmark}: one thread summing the same 256 MiB mapping as longs. A class of
 * its own so it runs once rather than once per algorithm and chunk size. Scores are bytes/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class MemoryReadBenchmark {
    private static final int REGION = ChunkHashBenchmark.REGION;

    private MappedTestFile file;
    private MemorySegment region;

    @Setup(Level.Trial)
    public void setUp() {
        file = new MappedTestFile(REGION, 42);
        region = file.segment();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        file.close();
    }

    /** The sum is returned, so JMH consumes it and the JIT must keep every load. */
    @Benchmark
    @OperationsPerInvocation(REGION)
    public long memoryRead() {
        long sum = 0;
        for (long i = 0; i < REGION; i += Long.BYTES) {
            sum += region.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
        }
        return sum;
    }
}
