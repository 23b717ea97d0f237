package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Hashes every chunk of a region into a {@link DigestTable} on a fixed pool of worker threads.
 *
 * <p>Workers are platform daemon threads named {@code deltasync-hash-P-N}, each with its own hasher. They take
 * batches of consecutive chunks (about {@value #BATCH_BYTES} bytes) from a shared cursor, so a worker slowed
 * by page faults or a busy core does not hold up the others, and each worker still reads memory
 * sequentially. Scans are serialized: one scanner runs one scan at a time.
 *
 * <p>The region must be readable from other threads (a global, automatic or shared arena, or a mapping
 * from {@code FileChannel.map(.., arena)} with such an arena); a confined segment fails with
 * {@link WrongThreadException} from the workers, rethrown by {@link #scan}.
 */
public final class ParallelScanner implements AutoCloseable {
    static final int BATCH_BYTES = 4 << 20;
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final HashAlgorithm algorithm;
    private final ChunkHasher[] hashers;
    private final ExecutorService pool;

    /**
     * @param threads number of workers, at least 1 (callers usually pass {@code availableProcessors()})
     */
    public ParallelScanner(HashAlgorithm algorithm, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        this.algorithm = algorithm;
        algorithm.prepare();
        this.hashers = new ChunkHasher[threads];
        for (int i = 0; i < threads; i++) {
            hashers[i] = algorithm.newHasher();
        }
        // Daemon, so a forgotten close() cannot keep the JVM alive.
        this.pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon()
                .name("deltasync-hash-" + POOL_IDS.incrementAndGet() + "-", 1).factory());
    }

    /**
     * Hashes every chunk of {@code region} into {@code into}. On return every digest is visible to the caller.
     *
     * @throws IllegalArgumentException if the region size or algorithm does not match the table
     * @throws IllegalStateException if the scanner is closed
     * @throws CancellationException if the calling thread was interrupted (its interrupt flag stays set)
     * @throws RuntimeException or {@link Error} thrown by a worker, rethrown as is; failures of other
     *     workers are attached as suppressed
     */
    public synchronized void scan(MemorySegment region, DigestTable into) {
        scan(region, into, hashed -> { });
    }

    /**
     * As {@link #scan(MemorySegment, DigestTable)}, telling {@code hashedBytes} the bytes hashed so far after each
     * batch (for progress displays): calls come from the workers, one at a time, with growing values.
     */
    public synchronized void scan(MemorySegment region, DigestTable into, LongConsumer hashedBytes) {
        scan(region, into, KnownZeros.NONE, hashedBytes);
    }

    /**
     * As {@link #scan(MemorySegment, DigestTable, LongConsumer)}, giving every chunk that {@code zeros} knows to be
     * all zeros the zero digest without reading it (a file's holes); a chunk that is partly zeros and partly data
     * is read and hashed like any other. The runs are looked up once, before the workers start (two look-ups per
     * run of data), so a hole costs neither reads nor a worker's time however large it is.
     *
     * @return the bytes actually read and hashed (the region's size less the known zeros)
     */
    public synchronized long scan(MemorySegment region, DigestTable into, KnownZeros zeros, LongConsumer hashedBytes) {
        if (pool.isShutdown()) {
            throw new IllegalStateException("scanner is closed");
        }
        if (region.byteSize() != into.regionSize()) {
            throw new IllegalArgumentException("region is " + region.byteSize() + " bytes, table expects "
                    + into.regionSize());
        }
        if (into.algorithm() != algorithm) {
            throw new IllegalArgumentException("scanner hashes " + algorithm + ", table holds " + into.algorithm());
        }
        DataChunks data = DataChunks.find(into, zeros);
        long[] done = {into.regionSize() - data.bytes()};
        if (done[0] > 0) {
            hashedBytes.accept(done[0]);
        }
        int batch = Math.max(1, BATCH_BYTES / into.chunkSize());
        DataChunks.Batches batches = data.batches(batch);
        int workers = (int) Math.min(hashers.length, ((long) data.count() + batch - 1) / batch);
        List<Future<?>> futures = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            ChunkHasher hasher = hashers[w];
            futures.add(pool.submit(() -> {
                long bytes;
                while ((bytes = batches.next((from, to) -> into.hashChunks(from, to, region, hasher))) > 0) {
                    synchronized (done) {
                        hashedBytes.accept(done[0] += bytes);
                    }
                }
            }));
        }
        awaitAll(futures, batches::stop);
        return data.bytes();
    }

    /** Waits for every worker, so none still writes into the table after scan() returns or throws. */
    private static void awaitAll(List<Future<?>> futures, Runnable stopWorkers) {
        Throwable failure = null;
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    stopWorkers.run(); // they finish their current batch, then stop
                } catch (ExecutionException e) {
                    stopWorkers.run();
                    if (failure == null) {
                        failure = e.getCause();
                    } else {
                        failure.addSuppressed(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            CancellationException ce = new CancellationException("scan interrupted");
            if (failure != null) {
                ce.addSuppressed(failure);
            }
            throw ce;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("chunk hashing failed", failure);
        }
    }

    /** Stops the workers; a scan in progress on another thread finishes first. */
    @Override
    public synchronized void close() {
        pool.shutdownNow();
    }
}
