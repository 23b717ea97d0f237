package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.KnownZeros;
import dev.deltasync.hashing.ParallelScanner;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Where whole-region scans run: one at a time (each already uses every scan thread), first come first served,
 * with one scanner per hash kept for the life of the queue. A server has one for all its regions, so however many
 * streams ask, scanning takes at most its threads, and {@link #pending()} tells how long the line is.
 */
final class ScanQueue implements AutoCloseable {
    private final int threads;
    private final Semaphore turn = new Semaphore(1, true);
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<HashAlgorithm, ParallelScanner> scanners = new EnumMap<>(HashAlgorithm.class);

    ScanQueue(int threads) {
        this.threads = threads;
    }

    /**
     * Hashes every chunk of {@code region} into {@code into}, after the scans ahead of it, telling {@code hashedBytes}
     * the bytes hashed so far as it goes; chunks {@code zeros} knows get the zero digest unread.
     *
     * @return the bytes read and hashed
     */
    long scan(MemorySegment region, DigestTable into, KnownZeros zeros, LongConsumer hashedBytes)
            throws InterruptedException {
        pending.incrementAndGet();
        try {
            turn.acquire();
            try {
                return scanner(into.algorithm()).scan(region, into, zeros, hashedBytes);
            } finally {
                turn.release();
            }
        } finally {
            pending.decrementAndGet();
        }
    }

    /** Scans waiting or running. */
    int pending() {
        return pending.get();
    }

    private synchronized ParallelScanner scanner(HashAlgorithm algorithm) {
        return scanners.computeIfAbsent(algorithm, a -> new ParallelScanner(a, threads));
    }

    @Override
    public synchronized void close() {
        scanners.values().forEach(ParallelScanner::close);
        scanners.clear();
    }
}
