package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.ErrorCode;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLSession;

/**
 * A connection's way to both HELLOs (PROTOCOL.md §3, §12): TLS first when configured, then HELLO within the
 * handshake timeout. Says whether a frame written now can leave, who the peer authenticated as, and, when the way
 * fails, why, as a typed {@link ConnectFailure}. A plaintext connection is ready from the start. Event loop only.
 */
final class Handshake {
    private final MuxConfig config;
    private final ConnectFailure.Peer peer;
    private boolean ready;
    private Fingerprint peerIdentity;

    /** @param peer who the other end is */
    Handshake(MuxConfig config, ConnectFailure.Peer peer) {
        this.config = config;
        this.peer = peer;
        this.ready = config.plaintext();
    }

    /** False while a TLS handshake is pending and once TLS failed: nothing written then could leave. */
    boolean ready() {
        return ready;
    }

    /** The fingerprint the peer authenticated with; null in plaintext and until the TLS handshake succeeded. */
    Fingerprint peerIdentity() {
        return peerIdentity;
    }

    /**
     * The TLS handshake ended; {@code session} is asked for only when it succeeded. Null when the peer
     * authenticated, else why the connection ends.
     */
    StreamClosedException tlsCompleted(SslHandshakeCompletionEvent completion, Supplier<SSLSession> session) {
        if (!completion.isSuccess()) {
            return tlsFailed(completion.cause());
        }
        Optional<Fingerprint> presented = TlsSettings.peerFingerprint(session.get());
        if (presented.isEmpty()) { // cannot happen with client auth required, but never serve an anonymous peer
            ready = false;
            return new StreamClosedException(ErrorCode.CANCEL.code(), "the peer presented no certificate", true);
        }
        peerIdentity = presented.get();
        ready = true;
        return null;
    }

    /** Why the connection ends when {@code cause} (from anywhere in the pipeline) is a TLS failure; else empty. */
    Optional<StreamClosedException> tlsFailure(Throwable cause) {
        return TlsFailures.find(cause).map(this::tlsFailed);
    }

    /** This side is plaintext and the peer's first bytes were a TLS record (§12.1). */
    StreamClosedException peerSpeaksTls() {
        return failed(ErrorCode.PROTOCOL_ERROR, false, new ConnectFailure.TlsPeer(peer));
    }

    /** No HELLO from the peer within the handshake timeout (§3). */
    StreamClosedException timedOut() {
        return failed(ErrorCode.IDLE_TIMEOUT, false, new ConnectFailure.HandshakeTimeout(config.handshakeTimeout(), false));
    }

    /** Arms the handshake timeout (§3): unless {@code helloSeen} by then, {@code end} gets {@link #timedOut()}. */
    void armTimeout(ScheduledExecutorService loop, BooleanSupplier helloSeen, Consumer<StreamClosedException> end) {
        loop.schedule(() -> {
            if (!helloSeen.getAsBoolean()) {
                end.accept(timedOut());
            }
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The peer closed the connection before its HELLO. */
    StreamClosedException closedBeforeHello() {
        return failed(ErrorCode.CANCEL, true, new ConnectFailure.ClosedBeforeHello(peer, config.plaintext()));
    }

    private StreamClosedException tlsFailed(Throwable cause) {
        ready = false; // a broken TLS session cannot carry a GOAWAY
        return failed(ErrorCode.CANCEL, true, TlsFailures.classify(cause, peer,
                config.tls() == null ? null : config.tls().identity().fingerprint(), config.handshakeTimeout()));
    }

    private static StreamClosedException failed(ErrorCode code, boolean byPeer, ConnectFailure failure) {
        return new StreamClosedException(code.code(), failure.describe(), byPeer, failure);
    }
}
