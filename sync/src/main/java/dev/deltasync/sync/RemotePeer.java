package dev.deltasync.sync;

import dev.deltasync.mux.Peer;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.HostPort;
import java.util.Optional;

/**
 * The other end of a connection, as log lines and metrics name it.
 *
 * @param host        on a client the server's host as dialled ({@code 10.0.0.1}), on a server the client's IP address
 * @param port        on a client the port dialled, on a server the client's port
 * @param fingerprint the certificate the peer authenticated with; empty on a plaintext ({@code --insecure}) connection
 */
public record RemotePeer(String host, int port, Optional<Fingerprint> fingerprint) {
    /** {@code 10.0.0.1:7070}, {@code [::1]:51234}. */
    public String address() {
        return HostPort.format(host, port);
    }

    /** A client of this server. */
    static RemotePeer of(Peer peer) {
        return new RemotePeer(peer.host(), peer.port(), peer.identity());
    }

    /** The server this client dialled at {@code host:port}. */
    static RemotePeer dialled(String host, int port, Peer peer) {
        return new RemotePeer(host, port, peer.identity());
    }
}
