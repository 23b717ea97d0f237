package dev.deltasync.sync;

import dev.deltasync.sync.region.TrackingUnavailableException;
import dev.deltasync.sync.region.WriteTracking;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.BitSet;

/**
 * How an embedded source finds its candidate chunks: from the kernel's write tracking where it works, else by
 * scanning. Tracking is a filter, never the truth: the candidates are copied, hashed and diffed like a scan's, and
 * a full scan still runs at the start of every stream (so after every reconnect), after a tracking error, and at
 * least every {@code fullScanEvery}, which bounds how long a write the tracker cannot see (a {@code pwrite},
 * another process's mapping) stays unsent. Once tracking fails it stays off for the life of this object.
 * Thread-safe.
 */
public final class SourceTracking implements AutoCloseable {
    /** A full scan of a 16 GiB region every 5 minutes costs about 1 % of one core. */
    public static final Duration DEFAULT_FULL_SCAN_EVERY = Duration.ofMinutes(5);

    private final String name;
    private final SyncListener listener;
    private final Duration fullScanEvery;
    private WriteTracking tracking;
    private ScanMode mode;
    private String why;
    private long lastFullScanNanos;
    private boolean scannedFully;

    private SourceTracking(String name, SyncListener listener, Duration fullScanEvery, WriteTracking tracking,
                           String why) {
        this.name = name;
        this.listener = listener;
        this.fullScanEvery = fullScanEvery;
        this.tracking = tracking;
        this.mode = tracking == null ? ScanMode.SCANNING : ScanMode.TRACKED;
        this.why = why;
        listener.scanMode(name, mode, why);
    }

    /**
     * Tracks writes to {@code segment} if {@code wanted} and the kernel allows it, else scans; tells
     * {@code listener} which, and why, once now and again whenever it changes.
     */
    public static SourceTracking start(String name, MemorySegment segment, boolean wanted, Duration fullScanEvery,
                                       SyncListener listener) {
        if (!fullScanEvery.isPositive()) {
            throw new IllegalArgumentException("fullScanEvery must be positive: " + fullScanEvery);
        }
        if (!wanted) {
            return new SourceTracking(name, listener, fullScanEvery, null, "write tracking is turned off");
        }
        try {
            return tracked(name, WriteTracking.start(segment), fullScanEvery, listener);
        } catch (TrackingUnavailableException e) {
            return new SourceTracking(name, listener, fullScanEvery, null, e.getMessage() + "; every epoch scans");
        }
    }

    /** Candidates from {@code tracking}, which this object then owns. */
    static SourceTracking tracked(String name, WriteTracking tracking, Duration fullScanEvery, SyncListener listener) {
        return new SourceTracking(name, listener, fullScanEvery, tracking,
                "userfaultfd write-protect + PAGEMAP_SCAN name the written pages; a full scan runs at start and every "
                        + fullScanEvery.toSeconds() + " s");
    }

    public synchronized ScanMode mode() {
        return mode;
    }

    /** Why this mode runs, in one line. */
    public synchronized String why() {
        return why;
    }

    /**
     * The chunks of {@code chunkSize} bytes written since the last call, or null when the caller must hash every
     * chunk: because it asks for a full scan ({@code full}), one is due, or tracking is off or just failed. Tracking
     * is re-armed either way, before the caller hashes, so a write racing the hashing is reported next time.
     */
    synchronized BitSet writtenChunks(int chunkSize, boolean full) {
        if (tracking == null) {
            return null;
        }
        long now = System.nanoTime();
        boolean due = now - lastFullScanNanos >= fullScanEvery.toNanos();
        BitSet chunks = new BitSet();
        try {
            tracking.drain((from, to) -> chunks.set((int) (from / chunkSize), (int) ((to + chunkSize - 1) / chunkSize)));
        } catch (IOException e) {
            stopTracking("write tracking failed (" + e.getMessage() + "); every epoch scans from now on");
            return null;
        }
        if (full || due || !scannedFully) {
            lastFullScanNanos = now;
            scannedFully = true;
            return null;
        }
        return chunks;
    }

    private void stopTracking(String reason) {
        tracking.close();
        tracking = null;
        mode = ScanMode.SCANNING;
        why = reason;
        listener.scanMode(name, mode, why);
    }

    /** Ends tracking; the application's mapping stays as it was. */
    @Override
    public synchronized void close() {
        if (tracking != null) {
            tracking.close();
            tracking = null;
        }
    }
}
