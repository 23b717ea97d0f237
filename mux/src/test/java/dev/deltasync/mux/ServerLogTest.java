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
    void manyAddressesEachGetTheirBurstAndTheLogRemembersABoundedNumber() {
        IntStream.range(0, 3 * ServerLog.MAX_ADDRESSES).forEach(i ->
                log.refused(from("10.0." + (i >> 8) + "." + (i & 255), 1), NOT_TLS));
        assertEquals(3 * ServerLog.MAX_ADDRESSES, lines.size());
        assertTrue(log.addressesRemembered() <= ServerLog.MAX_ADDRESSES, "remembered " + log.addressesRemembered());
    }
}
