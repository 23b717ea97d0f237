package dev.deltasync.cli;

import dev.deltasync.sync.ConnectionEvent;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ForwardingListener;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    /** Per region, the totals at its last epoch (they add up over all connections of a following run). */
    private final Map<String, SyncStats.Snapshot> last = new ConcurrentHashMap<>();
    /** Per region, the totals when the current connection came up; what it synced is the difference. */
    private final Map<String, SyncStats.Snapshot> atConnect = new ConcurrentHashMap<>();
    /** The regions whose last epoch on this connection was verified. */
    private final Set<String> inSync = ConcurrentHashMap.newKeySet();
    private volatile long connectedAt = System.nanoTime();

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
        if (event instanceof ConnectionEvent.Connected) { // each connection syncs afresh
            inSync.clear();
            atConnect.clear();
            atConnect.putAll(last);
            connectedAt = System.nanoTime();
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
        SyncStats.Snapshot totals = epoch.totals();
        SyncStats.Snapshot before = last.put(epoch.region(), totals);
        if (!following) {
            return;
        }
        String region = epoch.region();
        if (epoch.verified() && inSync.add(region)) {
            log.event(job + ": in sync at epoch " + epoch.epoch() + " (" + String.format(Locale.ROOT, "%s in %.1f s",
                    sent(atConnect.get(region), totals), (System.nanoTime() - connectedAt) / 1e9) + ")");
        } else if (!epoch.verified() && inSync.remove(region)) {
            log.event(job + ": out of sync at epoch " + epoch.epoch() + " (not verified), repairing");
        } else {
            log.detail(job + ": epoch " + epoch.epoch() + (epoch.verified() ? " verified" : " not verified") + " ("
                    + sent(before, totals) + ")");
        }
    }

    /** What travelled between two totals of a region ({@code from} null: since its start). */
    private static String sent(SyncStats.Snapshot from, SyncStats.Snapshot to) {
        long chunks = to.chunksChanged() - (from == null ? 0 : from.chunksChanged());
        long changed = to.changedBytes() - (from == null ? 0 : from.changedBytes());
        long wire = to.wireBytesSent() + to.wireBytesReceived()
                - (from == null ? 0 : from.wireBytesSent() + from.wireBytesReceived());
        return String.format(Locale.ROOT, "%d chunks changed, %s, %s on the wire", chunks, Sizes.format(changed),
                Sizes.format(wire));
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
