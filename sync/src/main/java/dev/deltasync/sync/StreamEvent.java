package dev.deltasync.sync;

import java.util.Optional;

/** A server's stream began or ended. Facts only: the CLI words them, metrics count them. */
public sealed interface StreamEvent {
    RemotePeer peer();

    /** The region the client named in its OPEN. */
    String region();

    /** PUSH: the client is the source and the server's file the replica; PULL: the other way round. */
    SyncJob.Direction role();

    int streamId();

    /** The client's OPEN arrived; the checks of PROTOCOL.md §5.3 come next. */
    record Started(RemotePeer peer, String region, SyncJob.Direction role, int streamId) implements StreamEvent { }

    /**
     * The stream ended: cleanly, or with {@code failure} (its code is what the RESET carried or what the peer's
     * RESET said).
     *
     * @param verifiedEpoch the last epoch the replica verified on this stream, 0 if none
     */
    record Ended(RemotePeer peer, String region, SyncJob.Direction role, int streamId, long verifiedEpoch,
                 Optional<SyncException> failure) implements StreamEvent { }
}
