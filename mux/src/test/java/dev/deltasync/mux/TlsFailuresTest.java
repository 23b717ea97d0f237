package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.peer.Identity;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a failed TLS handshake means, from the exceptions alone: no channel needed. */
class TlsFailuresTest {
    private static final Identity OURS = Identity.newSelfSigned();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static ConnectFailure classify(Throwable cause) {
        return TlsFailures.classify(cause, ConnectFailure.Peer.SERVER, OURS.fingerprint(), TIMEOUT);
    }

    @Test
    void aCertificateAlertFromThePeerMeansItRefusedOurs() {
        for (String alert : new String[] {"certificate_unknown", "bad_certificate", "access_denied", "decrypt_error"}) {
            ConnectFailure failure = classify(new DecoderException(new SSLHandshakeException("Received fatal alert: " + alert)));
            assertEquals(new ConnectFailure.RefusedByPeer(ConnectFailure.Peer.SERVER, OURS.fingerprint(), alert), failure);
            assertTrue(failure.isFinal());
            assertEquals("the server refused our certificate " + OURS.fingerprint() + " (TLS alert " + alert + ")",
                    failure.describe());
        }
    }

    @Test
    void anotherAlertIsTheHandshakeEndedByThePeer() {
        assertEquals(new ConnectFailure.PeerAlert(ConnectFailure.Peer.SERVER, "protocol_version"),
                classify(new SSLHandshakeException("Received fatal alert: protocol_version")));
    }

    @Test
    void timeoutsAndPlaintextPeersAreTheirOwnKinds() {
        ConnectFailure timeout = classify(new SslHandshakeTimeoutException("handshake timed out after 10000ms"));
        assertEquals(new ConnectFailure.HandshakeTimeout(TIMEOUT, true), timeout);
        assertFalse(timeout.isFinal(), "a timeout may pass");
        assertEquals(new ConnectFailure.PlaintextPeer(ConnectFailure.Peer.SERVER),
                classify(new DecoderException(new NotSslRecordException("not an SSL/TLS record: 0100"))));
    }

    @Test
    void anythingElseKeepsTheJdksWordsAndMayBeRetried() {
        ConnectFailure failure = classify(new SSLHandshakeException("no cipher suites in common"));
        assertEquals(new ConnectFailure.TlsFailed("no cipher suites in common"), failure);
        assertFalse(failure.isFinal());
    }

    @Test
    void noFailureNamesAFlag() {
        ConnectFailure[] all = {
                new ConnectFailure.NotPinned(ConnectFailure.Peer.CLIENT, OURS.fingerprint(), "PKIX path building failed"),
                new ConnectFailure.RefusedByPeer(ConnectFailure.Peer.SERVER, OURS.fingerprint(), "bad_certificate"),
                new ConnectFailure.PlaintextPeer(ConnectFailure.Peer.SERVER), new ConnectFailure.TlsPeer(ConnectFailure.Peer.CLIENT),
                new ConnectFailure.ClosedBeforeHello(ConnectFailure.Peer.SERVER, true),
                new ConnectFailure.HandshakeTimeout(TIMEOUT, false)};
        for (ConnectFailure failure : all) {
            assertFalse(failure.describe().contains("--"), "a lower layer states facts: " + failure.describe());
        }
    }
}
