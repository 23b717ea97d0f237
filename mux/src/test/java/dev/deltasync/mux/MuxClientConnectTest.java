package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.peer.ConnectFailure;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a client learns when it cannot connect, as a typed {@link ConnectFailure}, and that it tries every address. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MuxClientConnectTest {
    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        StreamClosedException e = assertThrows(StreamClosedException.class,
                () -> MuxClient.connect("127.0.0.1", port, MuxConfig.defaults()));
        assertEquals("cannot connect to 127.0.0.1:" + port + ": connection refused", e.getMessage());
        var failure = assertInstanceOf(ConnectFailure.Unreachable.class, e.connectFailure().orElseThrow());
        assertEquals(ConnectFailure.Unreachable.Cause.REFUSED, failure.cause());
        assertFalse(failure.isFinal());
    }

    @Test
    void anUnknownHostIsSaidSo() {
        StreamClosedException e = assertThrows(StreamClosedException.class,
                () -> MuxClient.connect("no-such-host.invalid", 7070, MuxConfig.defaults()));
        assertEquals("cannot connect to no-such-host.invalid:7070: unknown host", e.getMessage());
    }

    /** A listener whose accept queue is full drops SYNs: the connection attempt hangs until the connect timeout. */
    @Test
    void aLinkThatNeverAnswersTimesOutWithTheTimeInTheMessage() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            List<Socket> filling = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 300);
                        filling.add(s);
                    } catch (java.io.IOException timedOut) {
                        s.close();
                        break; // the queue is full
                    }
                }
                MuxConfig quick = MuxConfig.defaults().withHandshakeTimeout(Duration.ofSeconds(1));
                StreamClosedException e = assertThrows(StreamClosedException.class,
                        () -> MuxClient.connect("127.0.0.1", full.getLocalPort(), quick));
                ConnectFailure failure = e.connectFailure().orElseThrow();
                if (failure instanceof ConnectFailure.Unreachable unreachable) {
                    assertEquals(ConnectFailure.Unreachable.Cause.TIMED_OUT, unreachable.cause(), e.getMessage());
                    assertEquals("cannot connect to 127.0.0.1:" + full.getLocalPort()
                            + ": connection timed out after 1 s", e.getMessage());
                } else { // a TCP stack that answers a full queue with a handshake, then silence
                    assertInstanceOf(ConnectFailure.HandshakeTimeout.class, failure, e.getMessage());
                }
                assertFalse(e.getMessage().contains("null"), e.getMessage());
            } finally {
                for (Socket s : filling) {
                    s.close();
                }
            }
        }
    }

    @Test
    void everyAddressOfANameIsTriedInTurn() throws Exception {
        // "localhost" resolving to 127.0.0.1 and ::1, with the server only on ::1.
        try (MuxServer server = MuxServer.start("::1", 0, MuxConfig.defaults(), new EchoAcceptor())) {
            List<InetAddress> addresses = List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
            MuxSession session = MuxClient.connect("localhost", addresses, server.port(), MuxConfig.defaults());
            try {
                assertTrue(session.isOpen());
            } finally {
                session.close();
            }
        }
    }
}
