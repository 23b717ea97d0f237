package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Hello;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One peer address may hold only so many connections; the next is closed at once and logged. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLimitTest {
    @Test
    void connectionsBeyondThePerAddressCapAreClosedAndTheSlotComesBackWhenOneCloses() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults(), new EchoAcceptor(), log::add, 3)) {
            List<RawPeer> admitted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawPeer peer = new RawPeer(server.port(), 5_000);
                admitted.add(peer);
                assertInstanceOf(Hello.class, peer.read(), "connection " + i + " is admitted");
            }
            try (RawPeer fourth = new RawPeer(server.port(), 5_000)) {
                assertNull(fourth.read(), "the fourth connection is closed without a HELLO");
            }
            assertEquals(1, log.size(), String.join("\n", log));
            assertTrue(log.getFirst().contains("more than 3 connections from 127.0.0.1"), log.getFirst());

            admitted.removeFirst().close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            boolean readmitted = false;
            while (!readmitted && System.nanoTime() < deadline) {
                try (RawPeer again = new RawPeer(server.port(), 5_000)) {
                    readmitted = again.read() instanceof Hello;
                }
            }
            assertTrue(readmitted, "a slot frees up when a connection closes");
            for (RawPeer peer : admitted) {
                peer.close();
            }
        }
    }
}
