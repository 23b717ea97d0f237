package dev.deltasync.mux.tls;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS 1.3 on the {@link TlsEngine} this JVM chose, mutual: each side presents {@code identity} and accepts the peer only as
 * {@code trust} says (PROTOCOL.md §12). Both contexts are built up front, so a bad key fails at start.
 */
public final class TlsSettings {
    public static final String PROTOCOL = "TLSv1.3";

    private final Identity identity;
    private final PeerTrust trust;
    private final TlsEngine engine;
    private final SslContext serverContext;
    private final SslContext clientContext;

    public TlsSettings(Identity identity, PeerTrust trust) {
        this(identity, trust, TlsEngine.chosen());
    }

    /** With another engine than this JVM's choice: for benchmarks that compare the two side by side. */
    public TlsSettings(Identity identity, PeerTrust trust, TlsEngine engine) {
        this.identity = identity;
        this.trust = trust;
        this.engine = engine;
        try {
            PinningTrustManager trustManager = new PinningTrustManager(trust, engine.provider());
            IdentityKeyManager keyManager = new IdentityKeyManager(identity);
            serverContext = SslContextBuilder.forServer(keyManager)
                    .sslProvider(engine.provider())
                    .protocols(PROTOCOL)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(trustManager)
                    .build();
            clientContext = SslContextBuilder.forClient()
                    .sslProvider(engine.provider())
                    .protocols(PROTOCOL)
                    .keyManager(keyManager)
                    .trustManager(trustManager)
                    // Pins need no host name; a CA-signed server certificate must match the address dialled.
                    .endpointIdentificationAlgorithm(trust.authorities().isEmpty() ? null : "HTTPS")
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS with this identity: " + e.getMessage(), e);
        }
    }

    public Identity identity() {
        return identity;
    }

    public PeerTrust trust() {
        return trust;
    }

    public TlsEngine engine() {
        return engine;
    }

    public SslHandler newServerHandler(ByteBufAllocator allocator, Duration handshakeTimeout) {
        SslHandler handler = engine.provider() == SslProvider.JDK
                ? serverContext.newHandler(allocator) : new AlertingSslHandler(serverContext.newEngine(allocator));
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }

    public SslHandler newClientHandler(ByteBufAllocator allocator, String host, int port, Duration handshakeTimeout) {
        SslHandler handler = clientContext.newHandler(allocator, host, port);
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }

    /** The fingerprint of the certificate the peer presented in {@code session}, if it presented one. */
    public static Optional<Fingerprint> peerFingerprint(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf
                    ? Optional.of(Fingerprint.of(leaf)) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
