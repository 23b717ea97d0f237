package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.mux.tls.Identity;
import dev.deltasync.mux.tls.PeerTrust;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.ErrorCode;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** The way to both HELLOs, without a channel: when frames may leave, and what each failure is. */
class HandshakeTest {
    private static final Identity OURS = Identity.newSelfSigned();
    private static final MuxConfig TLS = MuxConfig.defaults()
            .withTls(new TlsSettings(OURS, PeerTrust.pinned(Set.of(Identity.newSelfSigned().fingerprint()))));

    private static SSLSession sessionWithoutPeerCertificate() throws java.security.NoSuchAlgorithmException {
        return SSLContext.getDefault().createSSLEngine().getSession(); // real, never handshaken: no peer chain
    }

    @Test
    void plaintextIsReadyFromTheStartAndTlsOnlyOnceAuthenticated() throws Exception {
        assertTrue(new Handshake(MuxConfig.defaults(), ConnectFailure.Peer.SERVER).ready());
        Handshake tls = new Handshake(TLS, ConnectFailure.Peer.SERVER);
        assertFalse(tls.ready(), "nothing written before the TLS handshake could leave");
        StreamClosedException refused = tls.tlsCompleted(SslHandshakeCompletionEvent.SUCCESS,
                HandshakeTest::sessionWithoutPeerCertificateUnchecked);
        assertEquals(ErrorCode.CANCEL, refused.errorCode());
        assertEquals("the peer presented no certificate", refused.getMessage());
        assertFalse(tls.ready());
        assertNull(tls.peerIdentity(), "an anonymous peer is never taken for anyone");
    }

    private static SSLSession sessionWithoutPeerCertificateUnchecked() {
        try {
            return sessionWithoutPeerCertificate();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFailedHandshakeIsTypedAndLeavesNoWayForAGoAway() {
        Handshake tls = new Handshake(TLS, ConnectFailure.Peer.SERVER);
        StreamClosedException e = tls.tlsCompleted(new SslHandshakeCompletionEvent(
                new SSLHandshakeException("Received fatal alert: bad_certificate")), () -> {
                    throw new AssertionError("a failed handshake has no session to ask");
                });
        assertEquals(new ConnectFailure.RefusedByPeer(ConnectFailure.Peer.SERVER, OURS.fingerprint(), "bad_certificate"),
                e.connectFailure().orElseThrow());
        assertEquals(ErrorCode.CANCEL, e.errorCode());
        assertTrue(e.byPeer(), "no GOAWAY: the peer ended it");
        assertFalse(tls.ready());
    }

    @Test
    void onlyTlsFailuresInThePipelineAreTakenForTls() {
        Handshake tls = new Handshake(TLS, ConnectFailure.Peer.CLIENT);
        assertTrue(tls.tlsFailure(new IOException("Connection reset by peer")).isEmpty());
        StreamClosedException e = tls.tlsFailure(new RuntimeException(new NotSslRecordException("not TLS"))).orElseThrow();
        assertEquals(new ConnectFailure.PlaintextPeer(ConnectFailure.Peer.CLIENT), e.connectFailure().orElseThrow());
        assertFalse(tls.ready());
    }

    @Test
    void whatEndsAConnectionBeforeHello() {
        Handshake plain = new Handshake(MuxConfig.defaults().withHandshakeTimeout(Duration.ofMillis(1500)),
                ConnectFailure.Peer.CLIENT);
        StreamClosedException timedOut = plain.timedOut();
        assertEquals(ErrorCode.IDLE_TIMEOUT, timedOut.errorCode());
        assertFalse(timedOut.byPeer(), "this side ends it, with a GOAWAY");
        assertEquals(new ConnectFailure.HandshakeTimeout(Duration.ofMillis(1500), false), timedOut.connectFailure().orElseThrow());
        assertEquals("no HELLO from the peer within 1500 ms", timedOut.getMessage());

        StreamClosedException closed = plain.closedBeforeHello();
        assertEquals(new ConnectFailure.ClosedBeforeHello(ConnectFailure.Peer.CLIENT, true), closed.connectFailure().orElseThrow());
        assertTrue(closed.byPeer());

        StreamClosedException tlsPeer = plain.peerSpeaksTls();
        assertEquals(ErrorCode.PROTOCOL_ERROR, tlsPeer.errorCode());
        assertEquals(new ConnectFailure.TlsPeer(ConnectFailure.Peer.CLIENT), tlsPeer.connectFailure().orElseThrow());
        assertTrue(plain.ready(), "a plaintext side can still say so in a GOAWAY");
    }
}
