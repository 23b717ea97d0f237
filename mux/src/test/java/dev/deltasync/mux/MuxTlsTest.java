package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import dev.deltasync.mux.tls.TestCa;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TLS 1.3 below the framing: mutual authentication by pinned fingerprint or CA, refusals on both ends, timeouts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MuxTlsTest {
    private static final Identity SERVER = Identity.newSelfSigned();
    private static final Identity CLIENT = Identity.newSelfSigned();
    private static final Identity STRANGER = Identity.newSelfSigned();

    private final List<String> serverLog = new CopyOnWriteArrayList<>();
    private final AtomicReference<Optional<Fingerprint>> seenByServer = new AtomicReference<>();
    private MuxServer server;
    private MuxSession client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static MuxConfig tls(Identity identity, Identity... pinned) {
        Set<Fingerprint> pins = java.util.Arrays.stream(pinned).map(Identity::fingerprint)
                .collect(java.util.stream.Collectors.toSet());
        return MuxConfig.defaults().withTls(new TlsSettings(identity, PeerTrust.pinned(pins)));
    }

    private void startServer(MuxConfig config) throws Exception {
        EchoAcceptor echo = new EchoAcceptor();
        server = MuxServer.start("127.0.0.1", 0, config, stream -> {
            seenByServer.set(stream.peer().identity());
            echo.accept(stream);
        }, ConnectionLog.lines(serverLog::add));
    }

    /** One stream, a few chunks, EPOCH_END, and the server's checksum must match. */
    private static void roundTrip(MuxSession session) throws Exception {
        MuxStream stream = session.openStream(id -> new Open(id, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(),
                4096, 1 << 20, "r", false));
        assertInstanceOf(OpenOk.class, stream.receive());
        CRC32C crc = new CRC32C();
        for (int i = 0; i < 8; i++) {
            byte[] data = new byte[4096];
            new java.util.SplittableRandom(i).nextBytes(data);
            crc.update(data);
            stream.send(Chunk.raw(stream.id(), 1, i, data));
        }
        stream.send(new EpochEnd(stream.id(), 1, 8, EchoAcceptor.rootOf(crc.getValue())));
        EpochAck ack = (EpochAck) stream.receive();
        assertArrayEquals(EchoAcceptor.rootOf(crc.getValue()), ack.root());
    }

    private void awaitLog(String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (serverLog.stream().anyMatch(l -> l.contains(fragment))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("server log has no line containing '" + fragment + "': " + serverLog);
    }

    @Test
    void matchingPinsOnBothSidesConnectAndEachSideKnowsTheOther() throws Exception {
        startServer(tls(SERVER, CLIENT));
        client = MuxClient.connect("127.0.0.1", server.port(), tls(CLIENT, SERVER));
        roundTrip(client);
        assertEquals(Optional.of(SERVER.fingerprint()), client.peer().identity());
        assertEquals(Optional.of(CLIENT.fingerprint()), seenByServer.get());
    }

    @Test
    void aReconnectWithTheSameSettingsAuthenticatesThePeerAgain() throws Exception {
        // the same TlsSettings on both ends, as a following client reconnecting to a running server: a TLS 1.3
        // resumption must still leave each side knowing the other's fingerprint
        startServer(tls(SERVER, CLIENT));
        MuxConfig config = tls(CLIENT, SERVER);
        for (int i = 0; i < 3; i++) {
            client = MuxClient.connect("127.0.0.1", server.port(), config);
            seenByServer.set(null);
            roundTrip(client);
            assertEquals(Optional.of(SERVER.fingerprint()), client.peer().identity(), "connection " + i);
            assertEquals(Optional.of(CLIENT.fingerprint()), seenByServer.get(), "connection " + i);
            client.close();
            client = null;
        }
    }

    @Test
    void aClientWithTheWrongPinRefusesTheServerAndBothSidesSaySo() throws Exception {
        startServer(tls(SERVER, CLIENT));
        StreamClosedException e = assertThrows(StreamClosedException.class,
                () -> MuxClient.connect("127.0.0.1", server.port(), tls(CLIENT, STRANGER)));
        assertTrue(e.getMessage().contains("server certificate " + SERVER.fingerprint() + " is not pinned"),
                e.getMessage());
        assertEquals(new ConnectFailure.NotPinned(ConnectFailure.Peer.SERVER, SERVER.fingerprint(), null),
                e.connectFailure().orElseThrow());
        assertTrue(e.connectFailure().orElseThrow().isFinal());
        awaitLog("the client refused our certificate " + SERVER.fingerprint());
        assertTrue(serverLog.stream().noneMatch(l -> l.contains("--")), "mux names no flags: " + serverLog);
    }

    @Test
    void aServerRejectsAClientWhoseCertificateItDoesNotPin() throws Exception {
        startServer(tls(SERVER, STRANGER));
        StreamClosedException e = assertThrows(StreamClosedException.class,
                () -> MuxClient.connect("127.0.0.1", server.port(), tls(CLIENT, SERVER)));
        assertTrue(e.getMessage().contains("the server refused our certificate " + CLIENT.fingerprint()),
                e.getMessage());
        assertInstanceOf(ConnectFailure.RefusedByPeer.class, e.connectFailure().orElseThrow());
        awaitLog("client certificate " + CLIENT.fingerprint() + " is not pinned");
    }

    @Test
    void plaintextAndTlsPeersRefuseEachOtherWithAHint() throws Exception {
        startServer(tls(SERVER, CLIENT));
        StreamClosedException plain = assertThrows(StreamClosedException.class,
                () -> MuxClient.connect("127.0.0.1", server.port(), MuxConfig.defaults()));
        assertTrue(plain.getMessage().contains("the server speaks TLS and this side plaintext"), plain.getMessage());
        assertEquals(new ConnectFailure.TlsPeer(ConnectFailure.Peer.SERVER), plain.connectFailure().orElseThrow());
        awaitLog("does not speak TLS");
        server.close();

        server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults(), new EchoAcceptor());
        StreamClosedException secure = assertThrows(StreamClosedException.class,
                () -> MuxClient.connect("127.0.0.1", server.port(), tls(CLIENT, SERVER)));
        assertTrue(secure.getMessage().contains("the server does not speak TLS"), secure.getMessage());
        assertEquals(new ConnectFailure.PlaintextPeer(ConnectFailure.Peer.SERVER), secure.connectFailure().orElseThrow());
    }

    @Test
    void aTcpPeerThatNeverSpeaksTlsIsDroppedAfterTheHandshakeTimeout() throws Exception {
        startServer(tls(SERVER, CLIENT).withHandshakeTimeout(Duration.ofMillis(500)));
        try (Socket idle = new Socket("127.0.0.1", server.port())) {
            idle.setSoTimeout(10_000);
            long start = System.nanoTime();
            InputStream in = idle.getInputStream();
            byte[] buffer = new byte[1024];
            while (in.read(buffer) >= 0) {
                // a TLS alert may come first; the server must then close
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 400 && millis < 5000, "closed after " + millis + " ms");
        } catch (java.net.SocketException reset) {
            // a reset is a close too
        }
        awaitLog("refused");
        assertTrue(serverLog.stream().anyMatch(l -> l.contains("within 500 ms")), serverLog.toString());
    }

    @Test
    void certificatesFromAConfiguredCaAreAcceptedWithoutPins() throws Exception {
        TestCa ca = new TestCa();
        Identity serverIdentity = ca.issue("127.0.0.1");
        Identity clientIdentity = ca.issue(null);
        PeerTrust caOnly = new PeerTrust(Set.of(), List.of(ca.certificate()));
        startServer(MuxConfig.defaults().withTls(new TlsSettings(serverIdentity, caOnly)));
        client = MuxClient.connect("127.0.0.1", server.port(),
                MuxConfig.defaults().withTls(new TlsSettings(clientIdentity, caOnly)));
        roundTrip(client);
        assertEquals(Optional.of(clientIdentity.fingerprint()), seenByServer.get());
        client.close();
        client = null;

        IOException e = assertThrows(IOException.class, () -> MuxClient.connect("127.0.0.1", server.port(),
                MuxConfig.defaults().withTls(new TlsSettings(STRANGER, caOnly))));
        assertTrue(e.getMessage().contains("refused our certificate"), e.getMessage());
        awaitLog("client certificate " + STRANGER.fingerprint() + " is not pinned and not valid under the configured CAs");
    }

    @Test
    void aCaSignedServerCertificateMustNameTheAddressDialled() throws Exception {
        TestCa ca = new TestCa();
        PeerTrust caOnly = new PeerTrust(Set.of(), List.of(ca.certificate()));
        startServer(MuxConfig.defaults().withTls(new TlsSettings(ca.issue("10.9.9.9"), caOnly)));
        StreamClosedException e = assertThrows(StreamClosedException.class, () -> MuxClient.connect("127.0.0.1",
                server.port(), MuxConfig.defaults().withTls(new TlsSettings(ca.issue(null), caOnly))));
        assertTrue(e.getMessage().contains("not valid under the configured CAs"), e.getMessage());
        assertTrue(((ConnectFailure.NotPinned) e.connectFailure().orElseThrow()).caConfigured());
    }

    /** PROTOCOL.md §12.1: nothing below TLS 1.3 is negotiated, even with a client that would take any server. */
    @Test
    void aClientOfferingOnlyTls12IsRefusedInTheHandshake() throws Exception {
        startServer(tls(SERVER, CLIENT));
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.2");
        context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) { }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) { }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket("127.0.0.1", server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setSoTimeout(10_000);
            assertThrows(javax.net.ssl.SSLException.class, socket::startHandshake);
        }
        awaitLog("refused");
    }
}
