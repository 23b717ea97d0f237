package dev.deltasync.cli;

import dev.deltasync.sync.ConnectionEvent;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ForwardingListener;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What push and pull show while they run: a progress bar, per-epoch stats (following, or --json), and log lines:
 * when following, one per change of state (connected, in sync, out of sync, disconnected, reconnecting), and with
 * -v one per epoch.
 */
final class ClientListener extends ForwardingListener {
    private final ProgressDisplay bar;
    private final Io io;
    private final LogLines log;
    private final List<SyncJob> jobs;
    private final boolean epochStats;
    private final boolean json;
    private final boolean following;
    /** Per region, the totals at its last epoch on this connection; a region is in sync while its last was verified. */
    private final Map<String, Epoch> last = new ConcurrentHashMap<>();

    private record Epoch(SyncStats.Snapshot totals, boolean verified) { }

    ClientListener(Io io, LogLines log, List<SyncJob> jobs, boolean epochStats, boolean json, boolean progressBar,
                   boolean following) {
        this(ProgressBar.orSilent(progressBar, io), io, log, jobs, epochStats, json, following);
    }

    private ClientListener(ProgressDisplay bar, Io io, LogLines log, List<SyncJob> jobs, boolean epochStats,
                           boolean json, boolean following) {
        super(bar);
        this.bar = bar;
        this.io = io;
        this.log = log.before(bar::clear); // redrawn by the next progress event
        this.jobs = jobs;
        this.epochStats = epochStats;
        this.json = json;
        this.following = following;
    }

    @Override
    public void connection(ConnectionEvent event) {
        super.connection(event);
        if (event instanceof ConnectionEvent.Connected) {
            last.clear(); // each connection syncs afresh
        }
        if (following) {
            log.event(EventText.client(event));
        }
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        super.epochCompleted(epoch);
        SyncJob job = jobs.stream().filter(j -> j.remoteName().equals(epoch.region())).findFirst().orElse(null);
        if (job == null) {
            return;
        }
        if (epochStats) {
            StatsReport.epoch(io.out(), json, job, epoch);
        }
        boolean verified = epoch.verified();
        SyncStats.Snapshot totals = epoch.totals();
        Epoch before = last.put(epoch.region(), new Epoch(totals, verified));
        if (!following) {
            return;
        }
        if (verified && (before == null || !before.verified())) {
            log.event(job + ": in sync at epoch " + epoch.epoch() + " (" + firstSync(totals) + ")");
        } else if (!verified && (before == null || before.verified())) {
            log.event(job + ": epoch " + epoch.epoch() + " not verified, repairing");
        } else {
            log.detail(job + ": epoch " + epoch.epoch() + (verified ? " verified" : " not verified") + " ("
                    + epochDelta(before.totals(), totals) + ")");
        }
    }

    /** The bytes and time of the sync up to the first verified epoch of this connection. */
    private static String firstSync(SyncStats.Snapshot s) {
        return String.format(Locale.ROOT, "%s of changed chunks, %s on the wire, in %.1f s",
                Sizes.format(s.changedBytes()), Sizes.format(s.wireBytesSent() + s.wireBytesReceived()),
                s.elapsedNanos() / 1e9);
    }

    private static String epochDelta(SyncStats.Snapshot before, SyncStats.Snapshot now) {
        return String.format(Locale.ROOT, "%d chunks changed, %s, %s on the wire",
                now.chunksChanged() - before.chunksChanged(), Sizes.format(now.changedBytes() - before.changedBytes()),
                Sizes.format(now.wireBytesSent() + now.wireBytesReceived() - before.wireBytesSent()
                        - before.wireBytesReceived()));
    }

    @Override
    public void info(String message) {
        log.event(message);
    }

    /** Takes the progress line away before results and errors are printed. */
    void done() {
        bar.clear();
    }
}
