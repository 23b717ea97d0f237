package dev.deltasync.cli;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.JobResult;
import dev.deltasync.sync.Lineage;
import dev.deltasync.sync.SyncException;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncStats;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What push and pull report per epoch, per region and at the end: the rsync-like summary as text, or the JSON
 * lines of docs/JSON.md. Times are the wall time of the whole command so far (JVM start included, as a user with
 * a stopwatch sees it), rates the wire bytes both ways per second of that time.
 */
final class StatsReport {
    private StatsReport() {}

    /** Seconds since the JVM started, by its own clock (the process start time in /proc is rounded to boot ticks). */
    static double wallSeconds() {
        return (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
    }

    /** An epoch ended (following with --stats or --json, and with --json under --once too). */
    static void epoch(PrintStream out, boolean json, SyncJob job, EpochReport epoch) {
        Instant now = Instant.now();
        if (json) {
            out.println(withStats(region(new JsonLine("epoch"), job).add("epoch", epoch.epoch())
                    .add("verified", epoch.verified())
                    .add("lineage", epoch.lineage().map(Lineage::toString).orElse(""))
                    .add("verified_epoch", epoch.verifiedEpoch())
                    .add("source_time", epoch.verifiedSourceTime().map(Instant::toString).orElse(""))
                    .addSeconds("lag_seconds", epoch.lagAt(now))
                    .addSeconds("source_clock_ahead_seconds", epoch.sourceClockAheadAt(now)), epoch.totals()));
        } else {
            text(out, job, epoch.verified() ? epoch.epoch() : 0, epoch.totals());
            out.println("  " + lag(epoch, now));
        }
    }

    /** The lag line of --stats: how far behind the source the replica's last verified epoch is, and its lineage. */
    static String lag(EpochReport epoch, Instant now) {
        String lineage = epoch.lineage().map(id -> "lineage " + id).orElse("no lineage (the peer speaks protocol v1)");
        Duration ahead = epoch.sourceClockAheadAt(now).orElse(Duration.ZERO);
        String skew = ahead.isZero() ? "" : String.format(Locale.ROOT, "; the source's clock is %.3f s ahead of this"
                + " machine's", ahead.toNanos() / 1e9);
        return epoch.lagAt(now)
                .map(lag -> String.format(Locale.ROOT, "lag %.3f s (epoch %d, source time %s%s), %s",
                        lag.toNanos() / 1e9, epoch.verifiedEpoch(), epoch.verifiedSourceTime().orElseThrow(), skew,
                        lineage))
                .orElse("lag unknown (no source time of a verified epoch yet), " + lineage);
    }

    /** A region's sync ended without an error; {@code verifiedEpoch} 0 when no epoch was verified. */
    static void regionDone(PrintStream out, boolean json, SyncJob job, long verifiedEpoch, SyncStats.Snapshot s) {
        if (json) {
            out.println(withStats(region(new JsonLine("region_done"), job).add("verified", verifiedEpoch > 0)
                    .add("verified_epoch", verifiedEpoch), s));
        } else {
            text(out, job, verifiedEpoch, s);
        }
    }

    /** A region's sync stopped with {@code failure}, said on stderr as {@code message}. */
    static void regionFailed(PrintStream out, SyncJob job, SyncException failure, String message) {
        out.println(region(new JsonLine("region_failed"), job).add("code", failure.code().name().toLowerCase(Locale.ROOT))
                .add("exit_code", Outcomes.exitCodeOf(failure).code()).add("message", message));
    }

    /** The last line of a --json run: how the invocation ended. */
    static void summary(PrintStream out, List<JobResult> results, ExitCode exit) {
        long sent = 0;
        long received = 0;
        for (JobResult result : results) {
            if (result.outcome() != null) {
                sent += result.outcome().stats().wireBytesSent();
                received += result.outcome().stats().wireBytesReceived();
            }
        }
        double seconds = wallSeconds();
        out.println(new JsonLine("summary").add("regions", results.size())
                .add("verified", results.stream().filter(JobResult::verified).count())
                .add("failed", results.stream().filter(r -> r.failure() != null).count())
                .add("exit_code", exit.code()).add("wire_bytes_sent", sent).add("wire_bytes_received", received)
                .add("seconds", seconds).add("bytes_per_second", rate(sent + received, seconds)));
    }

    private static JsonLine region(JsonLine line, SyncJob job) {
        return line.add("region", job.remoteName()).add("direction", job.direction().name().toLowerCase(Locale.ROOT))
                .add("local", job.localPath().toString());
    }

    private static JsonLine withStats(JsonLine line, SyncStats.Snapshot s) {
        double seconds = wallSeconds();
        return line.add("epochs", s.epochs()).add("bytes_scanned", s.bytesScanned())
                .add("chunks_changed", s.chunksChanged()).add("changed_bytes", s.changedBytes())
                .add("chunk_payload_bytes", s.chunkPayloadBytes()).add("wire_bytes_sent", s.wireBytesSent())
                .add("wire_bytes_received", s.wireBytesReceived()).add("compression_ratio", s.compressionRatio())
                .add("seconds", seconds).add("bytes_per_second", rate(s.wireBytesSent() + s.wireBytesReceived(), seconds))
                .add("msyncs", s.flushes()).add("msync_seconds", s.flushNanos() / 1e9)
                .add("state_writes", s.stateWrites()).add("state_write_seconds", s.stateWriteNanos() / 1e9);
    }

    private static long rate(long bytes, double seconds) {
        return Math.round(bytes / Math.max(seconds, 1e-3));
    }

    private static void text(PrintStream out, SyncJob job, long verifiedEpoch, SyncStats.Snapshot s) {
        double seconds = wallSeconds();
        out.printf(Locale.ROOT, "%s: %s%n", job, verifiedEpoch > 0
                ? "verified identical at epoch " + verifiedEpoch : "not verified");
        out.printf(Locale.ROOT, "  scanned %s, %d chunks changed (%s), compression %.2fx%n",
                Sizes.format(s.bytesScanned()), s.chunksChanged(), Sizes.format(s.changedBytes()),
                s.compressionRatio());
        out.printf(Locale.ROOT, "  wire: sent %s, received %s, %s/s, in %.2f s (wall) over %d epochs%n",
                Sizes.format(s.wireBytesSent()), Sizes.format(s.wireBytesReceived()),
                Sizes.format(rate(s.wireBytesSent() + s.wireBytesReceived(), seconds)), seconds, s.epochs());
        if (s.flushes() + s.stateWrites() > 0) {
            out.printf(Locale.ROOT, "  durability: msync %.3f s in %d calls, state file %.3f s in %d writes%n",
                    s.flushNanos() / 1e9, s.flushes(), s.stateWriteNanos() / 1e9, s.stateWrites());
        }
    }
}
