package dev.deltasync.sync;

/**
 * How one region's sync ended.
 *
 * @param verifiedEpoch the last epoch at which the replica was verified identical (root digests equal), 0 if none
 */
public record SyncOutcome(String region, long verifiedEpoch, SyncStats.Snapshot stats) {
    public boolean verified() {
        return verifiedEpoch > 0;
    }
}
