package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server's connection caps (per address, in all, in their handshake, without streams); the next is closed at once and logged. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConnectionLimitTest {
    /** Bounds every read; generous, as a loaded machine may answer late. */
    private static final int READ_TIMEOUT_MS = 30_000;
    /** Silent connections must hold their slots for the whole test, however slowly it runs. */
    private static final MuxConfig PATIENT = MuxConfig.defaults().withHandshakeTimeout(Duration.ofMinutes(5));

    @Test
    void connectionsBeyondThePerAddressCapAreClosedAndTheSlotComesBackWhenOneCloses() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, PATIENT, new EchoAcceptor(), log::add, 3)) {
            List<RawPeer> admitted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawPeer peer = new RawPeer(server.port(), READ_TIMEOUT_MS);
                admitted.add(peer);
                assertInstanceOf(Hello.class, peer.read(), "connection " + i + " is admitted");
            }
            try (RawPeer fourth = new RawPeer(server.port(), READ_TIMEOUT_MS)) {
                assertNull(fourth.read(), "the fourth connection is closed without a HELLO");
            }
            assertEquals(1, log.size(), String.join("\n", log));
            assertTrue(log.getFirst().contains("more than 3 connections from 127.0.0.1"), log.getFirst());

            admitted.removeFirst().close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean readmitted = false;
            while (!readmitted && System.nanoTime() < deadline) {
                try (RawPeer again = new RawPeer(server.port(), READ_TIMEOUT_MS)) {
                    readmitted = again.read() instanceof Hello;
                }
            }
            assertTrue(readmitted, "a slot frees up when a connection closes");
            for (RawPeer peer : admitted) {
                peer.close();
            }
        }
    }

    @Test
    void connectionsBeyondTheGlobalCapAreRefusedWhateverTheirAddress() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        ServerLimits limits = new ServerLimits(32, 3, 64, Duration.ofSeconds(60));
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, PATIENT, new EchoAcceptor(), ConnectionLog.lines(log::add), limits)) {
            List<RawPeer> admitted = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                RawPeer peer = new RawPeer("127.0.0." + i, server.port(), READ_TIMEOUT_MS);
                admitted.add(peer);
                assertInstanceOf(Hello.class, peer.read(), "connection from 127.0.0." + i + " is admitted");
                peer.sendHello();
            }
            try (RawPeer fourth = new RawPeer("127.0.0.4", server.port(), READ_TIMEOUT_MS)) {
                assertNull(fourth.read(), "a fourth connection, from a fourth address, is closed without a HELLO");
            }
            assertTrue(log.getLast().contains("more than 3 connections in all"), String.join("\n", log));
            for (RawPeer peer : admitted) {
                peer.close();
            }
        }
    }

    @Test
    void connectionsStillInTheirHandshakeHaveTheirOwnCap() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        ServerLimits limits = new ServerLimits(32, 512, 2, Duration.ofSeconds(60));
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, PATIENT, new EchoAcceptor(), ConnectionLog.lines(log::add), limits);
             RawPeer first = new RawPeer(server.port(), READ_TIMEOUT_MS);
             RawPeer second = new RawPeer(server.port(), READ_TIMEOUT_MS)) {
            assertInstanceOf(Hello.class, first.read());
            assertInstanceOf(Hello.class, second.read());
            try (RawPeer third = new RawPeer(server.port(), READ_TIMEOUT_MS)) {
                assertNull(third.read(), "two silent connections fill the handshake cap");
            }
            assertTrue(log.getLast().contains("more than 2 connections still in their handshake"), String.join("\n", log));

            first.sendHello(); // an authenticated connection no longer counts against that cap
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean admitted = false;
            while (!admitted && System.nanoTime() < deadline) {
                try (RawPeer again = new RawPeer(server.port(), READ_TIMEOUT_MS)) {
                    admitted = again.read() instanceof Hello;
                }
            }
            assertTrue(admitted, "a handshake slot frees up when a connection completes its HELLO");
        }
    }

    @Test
    void aConnectionWithNoStreamIsClosedAfterTheStreamlessTimeout() throws Exception {
        ServerLimits limits = new ServerLimits(32, 512, 64, Duration.ofMillis(300));
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults(), new EchoAcceptor(), null, limits);
             RawPeer peer = new RawPeer(server.port(), 10_000)) {
            peer.sendHello();
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.IDLE_TIMEOUT, goAway.errorCode());
            assertTrue(goAway.reason().contains("no stream"), goAway.reason());
            assertTrue(peer.closedByServer());
        }
    }
}
