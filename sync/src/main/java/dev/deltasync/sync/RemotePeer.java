package dev.deltasync.sync;

import dev.deltasync.mux.Peer;
import dev.deltasync.peer.Fingerprint;
import java.util.Optional;

/**
 * The other end of a connection, as log lines and metrics name it.
 *
 * @param address     on a client the server as dialled ({@code 10.0.0.1:7070}), on a server the client's IP
 *                    address and port
 * @param fingerprint the certificate the peer authenticated with; empty on a plaintext ({@code --insecure}) connection
 */
public record RemotePeer(String address, Optional<Fingerprint> fingerprint) {
    static RemotePeer of(Peer peer) {
        return new RemotePeer(peer.address(), peer.identity());
    }

    static RemotePeer of(String address, Peer peer) {
        return new RemotePeer(address, peer.identity());
    }
}
