package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Counts a server's connections against its {@link ServerLimits}: per peer address, in all, and those still in
 * their handshake. A connection over a cap is closed before a byte is read, and the refusal is logged.
 */
final class ConnectionLimiter {
    private final ServerLimits limits;
    private final ServerLog log;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private int total;
    private int unauthenticated;

    /** @param log where refusals go; null for nowhere */
    ConnectionLimiter(ServerLimits limits, ServerLog log) {
        this.limits = limits;
        this.log = log;
    }

    /** Admits {@code channel} or closes it; an admitted one is counted until it closes. */
    boolean admit(Channel channel) {
        InetAddress address = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        String refusal = count(address);
        if (refusal != null) {
            if (log != null) {
                log.refused(channel.remoteAddress(), new ConnectFailure.OverLimit(refusal));
            }
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(f -> uncount(address));
        return true;
    }

    /** Counts the connection as unauthenticated until {@code handshake} completes, whichever way. */
    void authenticatedWhen(CompletableFuture<?> handshake) {
        handshake.whenComplete((hello, failure) -> handshakeEnded());
    }

    /** An admitted connection's handshake is over (or never started: its pipeline could not be set up). */
    synchronized void handshakeEnded() {
        unauthenticated--;
    }

    private synchronized String count(InetAddress address) {
        int fromAddress = perAddress.getOrDefault(address, 0);
        if (fromAddress >= limits.perAddress()) {
            return "more than " + limits.perAddress() + " connections from " + address.getHostAddress();
        }
        if (total >= limits.total()) {
            return "more than " + limits.total() + " connections in all";
        }
        if (unauthenticated >= limits.unauthenticated()) {
            return "more than " + limits.unauthenticated() + " connections still in their handshake";
        }
        perAddress.put(address, fromAddress + 1);
        total++;
        unauthenticated++;
        return null;
    }

    private synchronized void uncount(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        total--;
    }
}
