package dev.deltasync.sync;

import dev.deltasync.peer.ConnectFailure;

/** What the engine reports while it works; the CLI turns these into progress bars, stats and log lines. */
public interface SyncListener {
    SyncListener SILENT = new SyncListener() { };

    /** Which end of a stream this process is. */
    enum Side { SOURCE, REPLICA }

    /** A full hash of this side's region is under way: {@code done} bytes of {@code total} hashed so far. */
    default void hashing(String region, Side side, long done, long total) { }

    /** A source sent a changed chunk: bytes of changed chunks sent so far in the current epoch, of {@code total}. */
    default void progress(String region, long epoch, long done, long total) { }

    /**
     * A replica wrote a chunk: {@code received} bytes so far in the current epoch, the last one ending at offset
     * {@code through} of the region's {@code regionSize}. An epoch's total is known only at its end, but a
     * source sends its chunks in index order (ours does), so {@code through} tells how far the epoch has come.
     */
    default void received(String region, long epoch, long received, long through, long regionSize) { }

    /** An epoch ended: the replica acknowledged it, verified or not; the report carries the lineage and lag. */
    default void epochCompleted(EpochReport epoch) { }

    /** A connection came up, went down, or is about to be tried again. */
    default void connection(ConnectionEvent event) { }

    /** A server's stream started or ended (a client's streams are its jobs, reported by their results). */
    default void stream(StreamEvent event) { }

    /**
     * A client's stream of {@code job} ended with {@code failure} (not when the client was asked to stop); a
     * following client may open it again.
     */
    default void streamFailed(SyncJob job, SyncException failure) { }

    /**
     * How an embedded source finds what changed ({@link SourceTracking}): said once when it starts and again when
     * it changes (tracking failed), with the reason in one line.
     */
    default void scanMode(String region, ScanMode mode, String why) {
        info(region + ": " + (mode == ScanMode.TRACKED ? "write tracking" : "scanning") + ": " + why);
    }

    /**
     * Where the events of the server stream that {@code started} describes go: this listener by default. One that
     * tells streams apart (metrics per peer) returns a listener that knows which stream it hears.
     */
    default SyncListener forStream(StreamEvent.Started started) {
        return this;
    }

    /** One human-readable line about something worth knowing (a stream opened, a peer left). */
    default void info(String message) { }

    /** A server refused a connection from {@code remote} before HELLO (not pinned, no TLS, over a cap...). */
    default void refused(String remote, ConnectFailure failure) {
        info("connection from " + remote + " refused: " + failure.describe());
    }
}
