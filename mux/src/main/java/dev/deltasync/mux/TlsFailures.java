package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.mux.tls.PeerNotPinnedException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Tells what a failed TLS handshake means (PROTOCOL.md §12) from the exceptions Netty and the JDK raise. The
 * JDK and BoringSSL report an alert from the peer only as text; that one parse lives here.
 */
final class TlsFailures {
    private static final String ALERT = "Received fatal alert: ";
    private static final Pattern BORINGSSL_ALERT = Pattern.compile(":(?:SSLV3|TLSV1)_ALERT_([A-Z_]+)");

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
        Optional<String> alert = receivedAlert(message);
        if (alert.isPresent()) {
            String name = alert.get();
            return refusesCertificates(name) ? new ConnectFailure.RefusedByPeer(peer, ours, name)
                    : new ConnectFailure.PeerAlert(peer, name);
        }
        return new ConnectFailure.TlsFailed(message);
    }

    /**
     * The RFC 8446 name of the alert the peer sent, from the JDK's "Received fatal alert: bad_certificate" or
     * BoringSSL's "error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE".
     */
    private static Optional<String> receivedAlert(String message) {
        int jdk = message.indexOf(ALERT);
        if (jdk >= 0) {
            return Optional.of(message.substring(jdk + ALERT.length()).strip());
        }
        Matcher boring = BORINGSSL_ALERT.matcher(message);
        return boring.find() ? Optional.of(boring.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** The alerts a peer's trust manager sends when it rejects a certificate (RFC 8446 §6.2). */
    private static boolean refusesCertificates(String alert) {
        return alert.contains("certificate") || alert.equals("access_denied") || alert.equals("decrypt_error");
    }
}
