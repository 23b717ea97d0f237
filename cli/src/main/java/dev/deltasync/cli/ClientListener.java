package dev.deltasync.cli;

import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncStats;
import java.util.List;

/** What push and pull show while they run: a progress bar, per-epoch stats when following, notices. */
final class ClientListener implements SyncListener {
    private final Io io;
    private final List<SyncJob> jobs;
    private final boolean epochStats;
    private final boolean json;
    private final SyncListener bar;

    ClientListener(Io io, List<SyncJob> jobs, boolean epochStats, boolean json, boolean progressBar) {
        this.io = io;
        this.jobs = jobs;
        this.epochStats = epochStats;
        this.json = json;
        this.bar = ProgressBar.orSilent(progressBar, io);
    }

    @Override
    public void progress(String region, long epoch, long done, long total) {
        bar.progress(region, epoch, done, total);
    }

    @Override
    public void epochCompleted(String region, long epoch, boolean verified, SyncStats.Snapshot totals) {
        bar.epochCompleted(region, epoch, verified, totals);
        if (epochStats) {
            jobs.stream().filter(j -> j.remoteName().equals(region)).findFirst().ifPresent(job ->
                    StatsReport.print(io.out(), json, job, "epoch", verified ? epoch : 0, totals));
        }
    }

    @Override
    public void info(String message) {
        io.err().println(message);
    }
}
