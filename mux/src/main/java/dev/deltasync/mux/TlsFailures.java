package dev.deltasync.mux;

import dev.deltasync.mux.tls.Fingerprint;
import dev.deltasync.mux.tls.PeerNotPinnedException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Tells what a failed TLS handshake means (PROTOCOL.md §12) from the exceptions Netty and the JDK raise. The
 * JDK reports an alert from the peer only as text ("Received fatal alert: NAME"); that one parse lives here.
 */
final class TlsFailures {
    private static final String ALERT = "Received fatal alert: ";

    private TlsFailures() {}

    /** The TLS failure in {@code cause}'s chain, if it is one. */
    static Optional<Throwable> find(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof NotSslRecordException || t instanceof SslHandshakeTimeoutException) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * @param peer    who the other end is
     * @param ours    the certificate this side presented (null in plaintext)
     * @param timeout the handshake timeout in force
     */
    static ConnectFailure classify(Throwable cause, ConnectFailure.Peer peer, Fingerprint ours, Duration timeout) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof PeerNotPinnedException notPinned) {
                return new ConnectFailure.NotPinned(peer, notPinned.fingerprint(), notPinned.caProblem());
            }
        }
        Throwable failure = find(cause).orElse(cause);
        if (failure instanceof SslHandshakeTimeoutException) {
            return new ConnectFailure.HandshakeTimeout(timeout, true);
        }
        if (failure instanceof NotSslRecordException) {
            return new ConnectFailure.PlaintextPeer(peer);
        }
        String message = String.valueOf(failure.getMessage());
        int alert = message.indexOf(ALERT);
        if (alert >= 0) {
            String name = message.substring(alert + ALERT.length()).strip();
            return refusesCertificates(name) ? new ConnectFailure.RefusedByPeer(peer, ours, name)
                    : new ConnectFailure.PeerAlert(peer, name);
        }
        return new ConnectFailure.TlsFailed(message);
    }

    /** The alerts a peer's trust manager sends when it rejects a certificate (RFC 8446 §6.2). */
    private static boolean refusesCertificates(String alert) {
        return alert.contains("certificate") || alert.equals("access_denied") || alert.equals("decrypt_error");
    }
}
