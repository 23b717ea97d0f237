package dev.deltasync.cli;

import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncStats;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The rsync-like summary of a region's sync, as text or as one JSON object per line. Its time is the wall time
 * of the whole command so far (JVM start included, as a user with a stopwatch sees it), its rate the wire
 * bytes both ways per second of that time.
 */
final class StatsReport {
    private StatsReport() {}

    /** Seconds since the JVM started, by its own clock (the process start time in /proc is rounded to boot ticks). */
    static double wallSeconds() {
        return (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
    }

    static void print(PrintStream out, boolean json, SyncJob job, String event, long verifiedEpoch,
                      SyncStats.Snapshot s) {
        double seconds = wallSeconds();
        double rate = (s.wireBytesSent() + s.wireBytesReceived()) / Math.max(seconds, 1e-3);
        if (json) {
            out.printf(Locale.ROOT, "{\"event\":\"%s\",\"region\":\"%s\",\"direction\":\"%s\",\"local\":\"%s\","
                            + "\"verified\":%s,\"verified_epoch\":%d,\"epochs\":%d,\"bytes_scanned\":%d,"
                            + "\"chunks_changed\":%d,\"changed_bytes\":%d,\"chunk_payload_bytes\":%d,"
                            + "\"wire_bytes_sent\":%d,\"wire_bytes_received\":%d,\"compression_ratio\":%.3f,"
                            + "\"seconds\":%.3f}%n",
                    event, Json.escape(job.remoteName()), job.direction().name().toLowerCase(Locale.ROOT),
                    Json.escape(job.localPath().toString()), verifiedEpoch > 0, verifiedEpoch, s.epochs(),
                    s.bytesScanned(), s.chunksChanged(), s.changedBytes(), s.chunkPayloadBytes(), s.wireBytesSent(),
                    s.wireBytesReceived(), s.compressionRatio(), seconds);
            return;
        }
        out.printf(Locale.ROOT, "%s: %s%n", job, verifiedEpoch > 0
                ? "verified identical at epoch " + verifiedEpoch : "not verified");
        out.printf(Locale.ROOT, "  scanned %s, %d chunks changed (%s), compression %.2fx%n",
                Sizes.format(s.bytesScanned()), s.chunksChanged(), Sizes.format(s.changedBytes()),
                s.compressionRatio());
        out.printf(Locale.ROOT, "  wire: sent %s, received %s, %s/s, in %.2f s (wall) over %d epochs%n",
                Sizes.format(s.wireBytesSent()), Sizes.format(s.wireBytesReceived()), Sizes.format(rate), seconds,
                s.epochs());
    }
}
