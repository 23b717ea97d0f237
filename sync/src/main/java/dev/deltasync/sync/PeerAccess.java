package dev.deltasync.sync;

import dev.deltasync.peer.Fingerprint;
import java.util.Optional;
import java.util.Set;

/**
 * Who may use a region, by the fingerprint the peer authenticated with (TLS). {@link #ANYONE} lets in every
 * peer the connection accepted (every pinned or CA-valid peer; on a plaintext connection, everyone). Otherwise
 * only the listed peers: {@code pushers} may push and pull, {@code pullers} may pull. A peer with no identity
 * (plaintext) is never on a list.
 */
public record PeerAccess(boolean anyone, Set<Fingerprint> pullers, Set<Fingerprint> pushers) {
    public static final PeerAccess ANYONE = new PeerAccess(true, Set.of(), Set.of());

    public PeerAccess {
        pullers = Set.copyOf(pullers);
        pushers = Set.copyOf(pushers);
    }

    public static PeerAccess only(Set<Fingerprint> pullers, Set<Fingerprint> pushers) {
        return new PeerAccess(false, pullers, pushers);
    }

    /** May this peer learn that the region exists, and pull it? Pushers may. */
    public boolean mayPull(Optional<Fingerprint> peer) {
        return anyone || peer.isPresent()
                && (Fingerprint.isAmong(peer.get(), pullers) | Fingerprint.isAmong(peer.get(), pushers));
    }

    public boolean mayPush(Optional<Fingerprint> peer) {
        return anyone || peer.isPresent() && Fingerprint.isAmong(peer.get(), pushers);
    }
}
