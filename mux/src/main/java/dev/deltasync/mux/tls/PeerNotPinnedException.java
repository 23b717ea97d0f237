package dev.deltasync.mux.tls;

import dev.deltasync.peer.Fingerprint;
import java.security.cert.CertificateException;

/**
 * The peer's certificate is neither pinned nor (where CAs are configured) valid under them. Typed, so the
 * session classifies the failed handshake by what happened, not by reading the message back.
 */
public final class PeerNotPinnedException extends CertificateException {
    private final String role;
    private final Fingerprint fingerprint;
    private final String caProblem;

    PeerNotPinnedException(String role, Fingerprint fingerprint, CertificateException caFailure) {
        super(role + " certificate " + fingerprint + " is not pinned"
                + (caFailure == null ? "" : " and not valid under the configured CAs: " + caFailure.getMessage()),
                caFailure);
        this.role = role;
        this.fingerprint = fingerprint;
        this.caProblem = caFailure == null ? null : caFailure.getMessage();
    }

    /** "server" or "client": whose certificate was refused. */
    public String role() {
        return role;
    }

    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** Why the certificate failed under the configured CAs, or null when none are configured. */
    public String caProblem() {
        return caProblem;
    }
}
