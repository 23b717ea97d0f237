package dev.deltasync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One completed epoch of a stream, as {@link SyncListener#epochCompleted} reports it. Lag is defined here
 * (README, "Lag"): the source's scan time of the epoch the replica last verified, subtracted from now.
 *
 * @param side               which end of the stream this process is
 * @param epoch              the epoch's number in its lineage
 * @param verified           the replica's root matched the source's for this epoch
 * @param lineage            the region lineage the epoch belongs to; empty with a peer that speaks protocol v1
 * @param verifiedEpoch      the last epoch the replica verified, this one or an earlier one; 0 if none yet
 * @param verifiedSourceTime when the source began the scan whose bytes {@code verifiedEpoch} verified; empty when
 *                           none was verified on this stream yet, or a v1 source did not say (a replica of one)
 * @param totals             the stream's totals so far
 */
public record EpochReport(String region, SyncListener.Side side, long epoch, boolean verified,
                          Optional<Lineage> lineage, long verifiedEpoch, Optional<Instant> verifiedSourceTime,
                          SyncStats.Snapshot totals) {

    /**
     * How far the replica is behind the source at {@code now}: now minus the verified epoch's source time, never
     * negative (a source clock ahead of this one reads as no lag: {@link #sourceClockAheadAt} says by how much).
     */
    public Optional<Duration> lagAt(Instant now) {
        return verifiedSourceTime.map(time -> lagBetween(time, now));
    }

    /**
     * How far the verified epoch's source time is ahead of {@code now}: zero unless the source's clock runs ahead of
     * this one by more than the lag (then by at least this much); empty when the source time is unknown.
     */
    public Optional<Duration> sourceClockAheadAt(Instant now) {
        return verifiedSourceTime.map(time -> lagBetween(now, time));
    }

    /** {@code now} minus {@code sourceTime}, or zero when that is negative. */
    public static Duration lagBetween(Instant sourceTime, Instant now) {
        Duration lag = Duration.between(sourceTime, now);
        return lag.isNegative() ? Duration.ZERO : lag;
    }
}
