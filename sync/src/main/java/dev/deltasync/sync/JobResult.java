package dev.deltasync.sync;

/** How one job ended: an outcome, or the failure that stopped it. Exactly one of the two is set. */
public record JobResult(SyncJob job, SyncOutcome outcome, SyncException failure) {
    public boolean verified() {
        return outcome != null && outcome.verified();
    }
}
