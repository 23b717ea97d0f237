package dev.deltasync.sync;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Running totals for one stream, updated by the engine thread and read by whoever prints them.
 * "Wire" bytes are whole frames, headers included, in both directions.
 */
public final class SyncStats {
    private final long startNanos = System.nanoTime();
    private final AtomicLong bytesScanned = new AtomicLong();
    private final AtomicLong scanNanos = new AtomicLong();
    private final AtomicLong applyNanos = new AtomicLong();
    private final AtomicLong chunksChanged = new AtomicLong();
    private final AtomicLong changedBytes = new AtomicLong();
    private final AtomicLong chunkPayloadBytes = new AtomicLong();
    private final AtomicLong wireBytesSent = new AtomicLong();
    private final AtomicLong wireBytesReceived = new AtomicLong();
    private final AtomicLong epochs = new AtomicLong();
    private final AtomicLong verifiedEpoch = new AtomicLong();
    private final AtomicLong flushNanos = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong stateWriteNanos = new AtomicLong();
    private final AtomicLong stateWrites = new AtomicLong();

    /** A scan that hashed {@code bytes} of the region (all, or what write tracking named) in {@code nanos}. */
    void scanned(long bytes, long nanos) {
        bytesScanned.addAndGet(bytes);
        scanNanos.addAndGet(nanos);
    }

    /** A replica took {@code nanos} from an epoch's first frame to its acknowledgement. */
    void applied(long nanos) {
        applyNanos.addAndGet(nanos);
    }

    /** One changed chunk of {@code rawBytes} that travelled as {@code payloadBytes} of chunk data. */
    void chunk(int rawBytes, int payloadBytes) {
        chunks(1, rawBytes, payloadBytes);
    }

    /** {@code count} chunks of {@code rawBytes} in all that travelled as {@code payloadBytes} (a run, §4.9). */
    void chunks(int count, long rawBytes, int payloadBytes) {
        chunksChanged.addAndGet(count);
        changedBytes.addAndGet(rawBytes);
        chunkPayloadBytes.addAndGet(payloadBytes);
    }

    void sent(int frameBytes) {
        wireBytesSent.addAndGet(frameBytes);
    }

    void received(int frameBytes) {
        wireBytesReceived.addAndGet(frameBytes);
    }

    /** One msync of what an epoch wrote, which took {@code nanos}. */
    void flushed(long nanos) {
        flushNanos.addAndGet(nanos);
        flushes.incrementAndGet();
    }

    /** One durable write of the replica's state file (write, fsync, rename, fsync the directory). */
    void stateWritten(long nanos) {
        stateWriteNanos.addAndGet(nanos);
        stateWrites.incrementAndGet();
    }

    void epochDone(long epoch, boolean verified) {
        epochs.incrementAndGet();
        if (verified) {
            verifiedEpoch.set(epoch);
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(bytesScanned.get(), chunksChanged.get(), changedBytes.get(), chunkPayloadBytes.get(),
                wireBytesSent.get(), wireBytesReceived.get(), epochs.get(), verifiedEpoch.get(),
                System.nanoTime() - startNanos, scanNanos.get(), applyNanos.get(), flushNanos.get(), flushes.get(),
                stateWriteNanos.get(), stateWrites.get());
    }

    /**
     * The totals at one moment.
     *
     * @param changedBytes      bytes of the chunks that changed (what a naive copy would send)
     * @param chunkPayloadBytes the same chunks as they travelled (compressed where it paid)
     * @param verifiedEpoch     the last epoch whose root digests matched, 0 if none yet
     * @param scanNanos         time spent scanning this side's region (hashing; the scans this stream did)
     * @param applyNanos        a replica's time from each epoch's first frame to its acknowledgement, summed
     * @param flushNanos        time a replica spent in msync of what its epochs wrote ({@code flushes} calls)
     * @param stateWriteNanos   time a replica spent writing its state file durably ({@code stateWrites} writes)
     */
    public record Snapshot(long bytesScanned, long chunksChanged, long changedBytes, long chunkPayloadBytes,
                           long wireBytesSent, long wireBytesReceived, long epochs, long verifiedEpoch,
                           long elapsedNanos, long scanNanos, long applyNanos, long flushNanos, long flushes,
                           long stateWriteNanos, long stateWrites) {
        /** The totals without durability figures: a source's, which makes nothing durable. */
        public Snapshot(long bytesScanned, long chunksChanged, long changedBytes, long chunkPayloadBytes,
                        long wireBytesSent, long wireBytesReceived, long epochs, long verifiedEpoch,
                        long elapsedNanos, long scanNanos, long applyNanos) {
            this(bytesScanned, chunksChanged, changedBytes, chunkPayloadBytes, wireBytesSent, wireBytesReceived,
                    epochs, verifiedEpoch, elapsedNanos, scanNanos, applyNanos, 0, 0, 0, 0);
        }

        /** changedBytes / chunkPayloadBytes; 1.0 when nothing was sent. */
        public double compressionRatio() {
            return chunkPayloadBytes == 0 ? 1.0 : (double) changedBytes / chunkPayloadBytes;
        }
    }
}
