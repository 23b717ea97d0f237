package dev.deltasync.sync;

import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.LineagePosition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lineage a stream's epochs continue (PROTOCOL.md §9.6), as OPEN / OPEN_OK agreed it on a v2 connection; on
 * a v1 connection there is none and epochs count from 1 on every stream.
 *
 * @param lastEpoch the lineage's last epoch before this stream: the stream's first epoch is one more
 */
record StreamLineage(Optional<Lineage> lineage, long lastEpoch) {
    /** A v1 stream: no lineage, epochs 1, 2, 3... */
    static final StreamLineage V1 = new StreamLineage(Optional.empty(), 0);

    /** True on a v2 stream: EPOCH_END carries a source time. */
    boolean v2() {
        return lineage.isPresent();
    }

    long firstEpoch() {
        return lastEpoch + 1;
    }

    /** A new lineage, from epoch 1. */
    static StreamLineage fresh() {
        return new StreamLineage(Optional.of(Lineage.random()), 0);
    }

    /** The position a replica with {@code state} continues, or none when it has no lineage that can go on. */
    static LineagePosition positionOf(Optional<ReplicaState> state) {
        return state.filter(s -> s.lineage().isPresent() && s.epoch() < Long.MAX_VALUE)
                .map(s -> new LineagePosition(s.lineage().get().bytes(), s.epoch()))
                .orElse(LineagePosition.NONE);
    }

    /** The lineage an OPEN_OK puts in force when the replica's position is {@code position}. */
    static StreamLineage continuing(LineagePosition position) {
        return position.isNone() || position.epoch() == Long.MAX_VALUE ? fresh() : of(position);
    }

    static StreamLineage of(LineagePosition position) {
        return new StreamLineage(Optional.of(Lineage.of(position.id())), position.epoch());
    }

    LineagePosition position() {
        return new LineagePosition(lineage.orElseThrow().bytes(), lastEpoch);
    }

    /** Whether a frame's v2 fields are present exactly when the stream is v2 (PROTOCOL.md §3.4). */
    boolean matches(boolean hasV2Fields) {
        return hasV2Fields == v2();
    }

    /** A source time as EPOCH_END carries it: microseconds of Unix time. */
    static long micros(Instant time) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, time);
    }

    static Optional<Instant> instant(OptionalLong micros) {
        return micros.isPresent() ? Optional.of(Instant.EPOCH.plus(micros.getAsLong(), ChronoUnit.MICROS))
                : Optional.empty();
    }

    /** True when the negotiated version has lineages. */
    static boolean spokenIn(int version) {
        return version >= Constants.VERSION_LINEAGE;
    }
}
