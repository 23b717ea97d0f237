package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.peer.ConnectFailure;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A server's connection log lines, held to a few per address, on a clock the test moves. */
class ServerLogTest {
    private static final ConnectFailure NOT_TLS = new ConnectFailure.PlaintextPeer(ConnectFailure.Peer.CLIENT);

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private final ServerLog log = new ServerLog(ConnectionLog.lines(lines::add), now::get);

    private static InetSocketAddress from(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    @Test
    void aPeerThatReconnectsInALoopGetsABurstOfLinesThenTheCountOfThoseLeftOut() {
        for (int i = 0; i < 1000; i++) {
            log.refused(from("192.0.2.7", 40000 + i), NOT_TLS);
        }
        assertEquals(ServerLog.BURST, lines.size(), lines.toString());
        assertEquals("connection from 192.0.2.7:40000 refused: the client does not speak TLS", lines.getFirst());

        log.refused(from("198.51.100.1", 5000), NOT_TLS);
        assertEquals("connection from 198.51.100.1:5000 refused: the client does not speak TLS", lines.getLast(),
                "another address has its own budget");

        lines.clear();
        now.addAndGet(ServerLog.INTERVAL.toNanos());
        log.refused(from("192.0.2.7", 50000), NOT_TLS);
        assertEquals(List.of("990 more connection(s) from 192.0.2.7 refused, not logged one by one",
                "connection from 192.0.2.7:50000 refused: the client does not speak TLS"), lines);
    }

    @Test
    void ipv6AddressesAreBracketedBeforeThePort() {
        log.refused(from("::1", 7070), NOT_TLS);
        assertEquals(List.of("connection from [0:0:0:0:0:0:0:1]:7070 refused: the client does not speak TLS"), lines);
    }

    @Test
    void aPeerRotatingThroughManyAddressesIsHeldToTheGlobalBoundAndTheLogRemembersABoundedNumber() {
        IntStream.range(0, 3 * ServerLog.MAX_ADDRESSES).forEach(i ->
                log.refused(from("10.0." + (i >> 8) + "." + (i & 255), 1), NOT_TLS));
        assertEquals(ServerLog.GLOBAL_BURST, lines.size(), "every address has its own budget, all share one bound");
        assertTrue(log.addressesRemembered() <= ServerLog.MAX_ADDRESSES, "remembered " + log.addressesRemembered());

        lines.clear();
        now.addAndGet(ServerLog.GLOBAL_INTERVAL.toNanos());
        log.refused(from("203.0.113.9", 2), NOT_TLS);
        assertEquals(List.of((3 * ServerLog.MAX_ADDRESSES - ServerLog.GLOBAL_BURST)
                + " more connection(s) from other addresses refused, not logged one by one",
                "connection from 203.0.113.9:2 refused: the client does not speak TLS"), lines);
    }

    @Test
    void ipv6AddressesOfOneSlash64ShareOneBudget() {
        for (int i = 1; i <= 1000; i++) {
            log.refused(from("2001:db8:1:2:" + Integer.toHexString(i) + "::7", 7070), NOT_TLS);
        }
        assertEquals(ServerLog.BURST, lines.size(), "a host rotating through its /64 is one peer: " + lines);
        log.refused(from("2001:db8:1:3::7", 7070), NOT_TLS);
        assertEquals(ServerLog.BURST + 1, lines.size(), "the next /64 is another peer");

        lines.clear();
        now.addAndGet(ServerLog.INTERVAL.toNanos());
        log.refused(from("2001:db8:1:2::1", 7070), NOT_TLS);
        assertEquals("990 more connection(s) from 2001:db8:1:2::/64 refused, not logged one by one", lines.getFirst());
    }

    @Test
    void aLogThatTakesOnlyRefusalsIsALambda() {
        List<String> heard = new ArrayList<>();
        ServerLog refusals = new ServerLog((remote, failure) -> heard.add(remote), now::get);
        for (int i = 0; i < 2 * ServerLog.BURST; i++) {
            refusals.refused(from("192.0.2.8", i + 1), NOT_TLS);
        }
        assertEquals(ServerLog.BURST, heard.size());
    }
}
