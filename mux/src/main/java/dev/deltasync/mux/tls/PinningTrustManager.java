package dev.deltasync.mux.tls;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.PeerTrust;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.CertificateVerifier;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a peer certificate when its fingerprint is pinned (compared in constant time), or, when CAs are
 * configured, when it validates under PKIX against them (for a server certificate seen by a client, including
 * the host name check the engine asks for). Everything else fails the handshake with a
 * {@link PeerNotPinnedException} that names the certificate's fingerprint, so the operator can pin it if it is
 * the one they meant.
 *
 * <p>Being an {@link X509ExtendedTrustManager}, it is not wrapped by the JDK's host name check: a pinned
 * certificate stands for exactly one peer, whatever address it was reached at.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    private final PeerTrust trust;
    private final X509ExtendedTrustManager pkix;
    private final SslProvider provider;

    PinningTrustManager(PeerTrust trust, SslProvider provider) {
        this.trust = trust;
        this.provider = provider;
        this.pkix = trust.authorities().isEmpty() ? null : pkixFor(trust);
    }

    private static X509ExtendedTrustManager pkixFor(PeerTrust trust) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate authority : trust.authorities()) {
                store.setCertificateEntry("ca-" + i++, authority);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
            throw new IllegalStateException("no X509ExtendedTrustManager from PKIX");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up CA validation: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface PkixCheck {
        void check(X509ExtendedTrustManager pkix) throws CertificateException;
    }

    private void check(X509Certificate[] chain, String role, PkixCheck pkixCheck) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException(role + " presented no certificate");
        }
        Fingerprint fingerprint = Fingerprint.of(chain[0]);
        if (Fingerprint.isAmong(fingerprint, trust.pins())) {
            return;
        }
        if (pkix == null) {
            throw refusal(new PeerNotPinnedException(role, fingerprint, null));
        }
        try {
            pkixCheck.check(pkix);
        } catch (CertificateException e) {
            throw refusal(new PeerNotPinnedException(role, fingerprint, e));
        }
    }

    /**
     * What the engine is given: the JDK sends a certificate alert for any {@link CertificateException}; BoringSSL
     * sends internal_error unless told a verification error code, here "certificate untrusted" (bad_certificate).
     * Either way the {@link PeerNotPinnedException} is in the cause chain the session classifies.
     */
    private CertificateException refusal(PeerNotPinnedException notPinned) {
        return provider == SslProvider.JDK ? notPinned
                : new OpenSslCertificateException(notPinned.getMessage(), notPinned, CertificateVerifier.X509_V_ERR_CERT_UNTRUSTED);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, "client", p -> p.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, "server", p -> p.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, "client", p -> p.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, "server", p -> p.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "client", p -> p.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "server", p -> p.checkServerTrusted(chain, authType));
    }

    /** No CA list in CertificateRequest: a pinned self-signed client certificate must still be offered. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NO_ISSUERS;
    }
}
