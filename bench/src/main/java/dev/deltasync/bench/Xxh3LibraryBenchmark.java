package dev.deltasync.bench;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.openhft.hashing.LongHashFunction;
import net.openhft.hashing.LongTupleHashFunction;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * hash4j against zero-allocation-hashing for XXH3-64 and XXH3-128, both reading an off-heap segment in place:
 * hash4j through its FFM {@code ByteAccess}, ZAH through {@code hashMemory(address, length)}. The buffer is
 * 16 MiB, so it stays in L3 and the comparison measures the libraries, not DRAM. Scores are bytes/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class Xxh3LibraryBenchmark {
    private static final int SIZE = 16 << 20;
    private static final ByteAccess<MemorySegment> SEGMENT = ByteAccess.forMemorySegment(MemorySegment.class);
    private static final Hasher64 HASH4J_64 = Hashing.xxh3_64();
    private static final Hasher128 HASH4J_128 = Hashing.xxh3_128();
    private static final LongHashFunction ZAH_64 = LongHashFunction.xx3();
    private static final LongTupleHashFunction ZAH_128 = LongTupleHashFunction.xx128();

    @Param({"4096", "65536", "1048576"})
    public int chunkSize;

    private Arena arena;
    private MemorySegment data;
    private long address;
    private final long[] zah128 = new long[2];

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(SIZE, 64);
        SplittableRandom random = new SplittableRandom(7);
        for (long i = 0; i < SIZE; i += Long.BYTES) {
            data.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        address = data.address();
        // The two libraries must agree, or the race is meaningless.
        for (int len : new int[] {0, 1, 17, 240, 4096, chunkSize}) {
            MemorySegment slice = data.asSlice(0, len);
            long h4 = HASH4J_64.hashBytesToLong(slice, 0, len, SEGMENT);
            long z = ZAH_64.hashMemory(address, len);
            var h128 = HASH4J_128.hashBytesTo128Bits(slice, 0, len, SEGMENT);
            ZAH_128.hashMemory(address, len, zah128);
            if (h4 != z || h128.getLeastSignificantBits() != zah128[0] || h128.getMostSignificantBits() != zah128[1]) {
                throw new IllegalStateException("hash4j and zero-allocation-hashing disagree at length " + len);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public void hash4jXxh3_64(Blackhole bh) {
        for (long off = 0; off < SIZE; off += chunkSize) {
            bh.consume(HASH4J_64.hashBytesToLong(data, off, chunkSize, SEGMENT));
        }
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public void zahXxh3_64(Blackhole bh) {
        for (long off = 0; off < SIZE; off += chunkSize) {
            bh.consume(ZAH_64.hashMemory(address + off, chunkSize));
        }
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public void hash4jXxh3_128(Blackhole bh) {
        for (long off = 0; off < SIZE; off += chunkSize) {
            var h = HASH4J_128.hashBytesTo128Bits(data, off, chunkSize, SEGMENT);
            bh.consume(h.getMostSignificantBits() ^ h.getLeastSignificantBits());
        }
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public void zahXxh3_128(Blackhole bh) {
        for (long off = 0; off < SIZE; off += chunkSize) {
            ZAH_128.hashMemory(address + off, chunkSize, zah128);
            bh.consume(zah128[0] ^ zah128[1]);
        }
    }
}
