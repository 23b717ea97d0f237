package dev.deltasync.sync;

/** What the engine reports while it works; the CLI turns these into progress bars, stats and log lines. */
public interface SyncListener {
    SyncListener SILENT = new SyncListener() { };

    /** Bytes of changed chunks handled so far in the current epoch, of {@code total} (-1 when unknown). */
    default void progress(String region, long epoch, long done, long total) { }

    /** An epoch ended: the replica acknowledged it, verified or not. */
    default void epochCompleted(String region, long epoch, boolean verified, SyncStats.Snapshot totals) { }

    /** One human-readable line about something worth knowing (a stream opened, a peer left). */
    default void info(String message) { }
}
