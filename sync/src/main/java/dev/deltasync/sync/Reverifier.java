package dev.deltasync.sync;

import dev.deltasync.hashing.ChunkHasher;
import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.ZeroCursor;
import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Re-hashes a followed replica's whole region now and then and corrects its digest table where the bytes no
 * longer match it: the backstop for writes by someone else that left the file's times unchanged (a write between
 * the replica's own last write and its msync, a file system with coarse times). All replicas of the process share
 * one low-priority thread, so the cost is bounded by one core however many replicas there are; a pass hashes a
 * batch of chunks at a time under the replica's table lock, so the stream's own writes interleave with it.
 */
final class Reverifier implements AutoCloseable {
    /** Bytes hashed per hold of the table lock: short enough not to stall the stream's writes noticeably. */
    private static final int BATCH_BYTES = 1 << 20;
    private static final ScheduledExecutorService THREAD = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "deltasync-reverify");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        return thread;
    });

    private final MappedRegion region;
    private final DigestTable table;
    private final ReentrantLock lock;
    private final IntConsumer onDifferences;
    private final ChunkHasher hasher;
    private ScheduledFuture<?> schedule;
    private boolean closed;

    /**
     * @param lock          held by the stream while it writes chunks or reads the table
     * @param onDifferences told, under {@code lock}, how many chunks of a batch differed (their digests already
     *                      corrected in {@code table})
     */
    Reverifier(MappedRegion region, DigestTable table, ReentrantLock lock, IntConsumer onDifferences) {
        this.region = region;
        this.table = table;
        this.lock = lock;
        this.onDifferences = onDifferences;
        this.hasher = table.algorithm().newHasher();
    }

    /** Starts a pass every {@code period} (ZERO: never). */
    void start(Duration period) {
        if (!period.isZero()) {
            schedule = THREAD.scheduleWithFixedDelay(this::pass, period.toNanos(), period.toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** One whole pass over the region; returns early when closed or the file no longer has its mapped size. */
    void pass() {
        int perBatch = Math.max(1, BATCH_BYTES / table.chunkSize());
        byte[] actual = new byte[table.digestLength()];
        byte[] recorded = new byte[table.digestLength()];
        for (int first = 0; first < table.chunkCount(); first += perBatch) {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                region.checkIntact(); // the stream reports a vanished or resized file; touching it would SIGBUS
                int differences = 0;
                // written back first: lseek may not see a foreign write into a hole still in dirty pages
                long batchStart = table.chunkOffset(first);
                int batchEnd = Math.min(first + perBatch, table.chunkCount()) - 1;
                region.sync(batchStart, table.chunkOffset(batchEnd) + table.chunkLength(batchEnd) - batchStart);
                ZeroCursor holes = new ZeroCursor(region.knownZeros()); // per batch: our own writes fill holes
                for (int i = first; i < Math.min(first + perBatch, table.chunkCount()); i++) {
                    if (holes.allZeros(table.chunkOffset(i), table.chunkLength(i))) {
                        if (!table.isZeros(i)) {
                            table.setZeros(i);
                            differences++;
                        }
                        continue;
                    }
                    hasher.hash(region.segment().asSlice(table.chunkOffset(i), table.chunkLength(i)), actual, 0);
                    table.get(i, recorded, 0);
                    if (!Arrays.equals(actual, recorded)) {
                        table.set(i, actual, 0);
                        differences++;
                    }
                }
                if (differences > 0) {
                    onDifferences.accept(differences);
                }
            } catch (IOException | InternalError e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Stops for good; a pass under way stops at its next batch, before the region may be unmapped. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (schedule != null) {
                schedule.cancel(false);
            }
        } finally {
            lock.unlock();
        }
    }
}
