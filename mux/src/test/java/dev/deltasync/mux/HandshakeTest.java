package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
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
    void aCompletedHandshakeMakesTheConnectionReadyAndNamesThePeer() {
        Identity server = Identity.newSelfSigned();
        Identity client = Identity.newSelfSigned();
        Duration timeout = Duration.ofMinutes(1);
        SslHandler serverTls = new TlsSettings(server, PeerTrust.pinned(Set.of(client.fingerprint())))
                .newServerHandler(ByteBufAllocator.DEFAULT, timeout);
        SslHandler clientTls = new TlsSettings(client, PeerTrust.pinned(Set.of(server.fingerprint())))
                .newClientHandler(ByteBufAllocator.DEFAULT, "localhost", 7070, timeout);
        EmbeddedChannel serverSide = new EmbeddedChannel(serverTls);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientTls);
        try {
            for (int round = 0; round < 20 && !serverTls.handshakeFuture().isDone(); round++) {
                shuttle(clientSide, serverSide);
                shuttle(serverSide, clientSide);
            }
            assertTrue(serverTls.handshakeFuture().isSuccess(), String.valueOf(serverTls.handshakeFuture().cause()));
            Handshake handshake = new Handshake(MuxConfig.defaults().withTls(new TlsSettings(server,
                    PeerTrust.pinned(Set.of(client.fingerprint())))), ConnectFailure.Peer.CLIENT);
            assertNull(handshake.tlsCompleted(SslHandshakeCompletionEvent.SUCCESS, () -> serverTls.engine().getSession()));
            assertTrue(handshake.ready());
            assertEquals(client.fingerprint(), handshake.peerIdentity());
        } finally {
            serverSide.finishAndReleaseAll();
            clientSide.finishAndReleaseAll();
        }
    }

    /** Moves what {@code from} wrote to {@code to}, as a socket would. */
    private static void shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        for (ByteBuf bytes = from.readOutbound(); bytes != null; bytes = from.readOutbound()) {
            to.writeInbound(bytes);
        }
        from.runPendingTasks();
        to.runPendingTasks();
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
