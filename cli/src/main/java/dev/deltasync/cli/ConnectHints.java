package dev.deltasync.cli;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.sync.SyncException;

/**
 * What to do about a connection that failed before HELLO: the lower layers state what happened (a typed
 * {@link ConnectFailure}); this is the one place that names the flags that mend it.
 */
final class ConnectHints {
    private ConnectHints() {}

    /** The client's line for a failed sync: its message, plus a hint when the connection itself failed. */
    static String clientLine(SyncException e) {
        return e.getMessage() + e.connectFailure().map(ConnectHints::forClient).orElse("");
    }

    /** The server's log line for a connection refused before HELLO. */
    static String serverLine(String remote, ConnectFailure failure) {
        return "connection from " + remote + " refused: " + failure.describe() + forServer(failure);
    }

    static String forClient(ConnectFailure failure) {
        return switch (failure) {
            case ConnectFailure.NotPinned n -> n.caConfigured() ? " (--peer-fingerprint, --ca)" : " (--peer-fingerprint)";
            case ConnectFailure.RefusedByPeer r -> ": the server must pin it (serve --peer-fingerprint or --allow)"
                    + " or trust a CA that signed it (serve --ca)";
            case ConnectFailure.PlaintextPeer p -> " (is it running with --insecure?)";
            case ConnectFailure.TlsPeer t -> " (drop --insecure, or give the server --insecure too)";
            case ConnectFailure.ClosedBeforeHello c -> c.plaintext()
                    ? " (a server that requires TLS closes plaintext connections: drop --insecure)" : "";
            case ConnectFailure.Unreachable u -> switch (u.cause()) {
                case REFUSED -> " (is 'deltasync serve' running there?)";
                case TIMED_OUT -> " (is the address right, and the port open in every firewall on the way?)";
                case UNKNOWN_HOST, OTHER -> "";
            };
            case ConnectFailure.PeerAlert a -> "";
            case ConnectFailure.HandshakeTimeout h -> "";
            case ConnectFailure.TlsFailed t -> "";
            case ConnectFailure.OverLimit o -> "";
            case ConnectFailure.BrokeProtocol b -> "";
        };
    }

    static String forServer(ConnectFailure failure) {
        return switch (failure) {
            case ConnectFailure.NotPinned n -> n.caConfigured() ? " (--peer-fingerprint, --ca)" : " (--peer-fingerprint)";
            case ConnectFailure.RefusedByPeer r -> ": the client must pin it (its --peer-fingerprint)";
            case ConnectFailure.PlaintextPeer p -> " (is it running with --insecure?)";
            case ConnectFailure.TlsPeer t -> " (give the client --insecure too, or serve without --insecure)";
            default -> "";
        };
    }
}
