package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Quick throughput figures for {@code deltasync hash-bench}: a rough, in-process measurement for choosing an
 * algorithm and thread count on a given machine. The JMH suites in {@code bench/} are the careful numbers.
 */
public final class HashThroughput {

    /** Bytes processed in {@code nanos} of wall time. */
    public record Result(long bytes, long nanos) {
        /** Decimal gigabytes (10^9 bytes) per second. */
        public double gbPerSecond() {
            return nanos == 0 ? 0 : (double) bytes / nanos;
        }
    }

    /**
     * A measurement's two figures: its first pass, timed from before any set-up (hashers, native library,
     * threads) to the end of that pass, which in a fresh JVM is what a {@code --once} scan gets; and the
     * passes after it, warm.
     */
    public record Measurement(Result firstPass, Result warm) {
    }

    /** Keeps the memory-read sums observable so the JIT cannot drop the loads. */
    private static volatile long sink;

    private HashThroughput() {
    }

    /**
     * Scans the whole region repeatedly with a {@link ParallelScanner}: a first pass, then full passes
     * until {@code minTime} has elapsed.
     */
    public static Measurement measure(HashAlgorithm alg, MemorySegment region, int chunkSize, int threads,
            Duration minTime) {
        long start = System.nanoTime();
        DigestTable table = DigestTable.create(alg, region.byteSize(), chunkSize);
        try (ParallelScanner scanner = new ParallelScanner(alg, threads)) {
            return timePasses(start, region.byteSize(), minTime, () -> scanner.scan(region, table));
        }
    }

    /**
     * The ceiling for {@link #measure}: summing the region as longs on {@code threads} threads, each over a
     * contiguous range, with the same warm-up and timing.
     */
    public static Measurement measureMemoryRead(MemorySegment region, int threads, Duration minTime) {
        long start = System.nanoTime();
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon()
                .name("deltasync-memread-", 1).factory());
        try {
            return timePasses(start, region.byteSize(), minTime, () -> sink += sumInParallel(region, threads, pool));
        } finally {
            pool.shutdownNow();
        }
    }

    private static Measurement timePasses(long setUpStart, long passBytes, Duration minTime, Runnable pass) {
        pass.run();
        long start = System.nanoTime();
        Result first = new Result(passBytes, start - setUpStart);
        long min = minTime.toNanos();
        long passes = 0;
        long elapsed;
        do {
            pass.run();
            passes++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < min);
        return new Measurement(first, new Result(passes * passBytes, elapsed));
    }

    private static long sumInParallel(MemorySegment region, int threads, ExecutorService pool) {
        long size = region.byteSize();
        long share = (size / threads) & ~7L; // 8-byte aligned ranges; the last takes the remainder
        List<Future<Long>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            long from = t * share;
            long to = t == threads - 1 ? size : from + share;
            parts.add(pool.submit(() -> sum(region, from, to)));
        }
        long total = 0;
        try {
            for (Future<Long> part : parts) {
                total += part.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("memory-read measurement interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("memory-read measurement failed", e.getCause());
        }
        return total;
    }

    static long sum(MemorySegment region, long from, long to) {
        long s = 0;
        long i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            s += region.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
        }
        for (; i < to; i++) {
            s += region.get(ValueLayout.JAVA_BYTE, i);
        }
        return s;
    }
}
