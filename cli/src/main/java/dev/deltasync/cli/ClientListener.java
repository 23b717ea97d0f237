package dev.deltasync.cli;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ForwardingListener;
import dev.deltasync.sync.SyncJob;
import java.util.List;

/** What push and pull show while they run: a progress bar, per-epoch stats (following, or --json), notices. */
final class ClientListener extends ForwardingListener {
    private final ProgressDisplay bar;
    private final Io io;
    private final List<SyncJob> jobs;
    private final boolean epochStats;
    private final boolean json;

    ClientListener(Io io, List<SyncJob> jobs, boolean epochStats, boolean json, boolean progressBar) {
        this(ProgressBar.orSilent(progressBar, io), io, jobs, epochStats, json);
    }

    private ClientListener(ProgressDisplay bar, Io io, List<SyncJob> jobs, boolean epochStats, boolean json) {
        super(bar);
        this.bar = bar;
        this.io = io;
        this.jobs = jobs;
        this.epochStats = epochStats;
        this.json = json;
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        super.epochCompleted(epoch);
        if (epochStats) {
            jobs.stream().filter(j -> j.remoteName().equals(epoch.region())).findFirst().ifPresent(job ->
                    StatsReport.epoch(io.out(), json, job, epoch));
        }
    }

    @Override
    public void info(String message) {
        bar.clear(); // redrawn by the next progress event
        io.err().println(message);
    }

    /** Takes the progress line away before results and errors are printed. */
    void done() {
        bar.clear();
    }
}
