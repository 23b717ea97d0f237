package dev.deltasync.mux;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * Caps the connections one peer address may hold open at once, so a single host cannot exhaust the
 * server with sockets (each connection is in turn capped at its HELLO's maxStreams streams). A
 * connection over the cap is closed before a byte is read, and the refusal is logged.
 */
final class ConnectionLimiter {
    /** Enough for one client per region plus reconnect overlap; far below what exhausts file descriptors. */
    static final int DEFAULT_PER_ADDRESS = 32;

    private final int perAddress;
    private final Consumer<String> log;
    private final ConcurrentMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    ConnectionLimiter(int perAddress, Consumer<String> log) {
        this.perAddress = perAddress;
        this.log = log;
    }

    /** Admits {@code channel} or closes it; an admitted one is counted until it closes. */
    boolean admit(Channel channel) {
        InetAddress address = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        int count = open.merge(address, 1, Integer::sum);
        channel.closeFuture().addListener(f -> open.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1));
        if (count > perAddress) {
            if (log != null) {
                log.accept("connection from " + channel.remoteAddress() + " refused: more than " + perAddress
                        + " connections from " + address.getHostAddress());
            }
            channel.close();
            return false;
        }
        return true;
    }
}
