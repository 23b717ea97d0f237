package dev.deltasync.embed;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ScanMode;

/**
 * What a replicator tells the application. Calls come from the replicator's own threads, one at a time per
 * replicator; they must return quickly and must not call {@code syncNow}; a {@code close} from a callback stops
 * the replicator without waiting for its threads (they may be waiting for the callback).
 */
public interface ReplicatorListener {
    ReplicatorListener SILENT = new ReplicatorListener() { };

    /**
     * An epoch was acknowledged, verified or not; {@link EpochReport#lagAt} says how far the replica is behind the
     * source (from the start of the scan behind the last verified epoch).
     */
    default void epoch(EpochReport epoch) { }

    /**
     * How the source finds what changed, and why (one line): once at start, and again if write tracking fails and
     * it falls back to scanning.
     */
    default void scanMode(String region, ScanMode mode, String why) { }

    /** Something worth a log line: a reconnect and its cause, a stream that ended. */
    default void info(String message) { }
}
