package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The refusals a server tells its {@link ConnectionLog}, held to {@link #BURST} per peer address and then one every
 * {@link #INTERVAL}: a peer that reconnects in a loop cannot flood the log. The next refusal logged for an address
 * is preceded by the count of those left out. Thread-safe: a server's event loops share one.
 */
final class ServerLog {
    static final int BURST = 10;
    static final Duration INTERVAL = Duration.ofSeconds(6);
    /** Addresses remembered at once; the least recently heard of is forgotten first, so memory stays bounded. */
    static final int MAX_ADDRESSES = 1024;

    private final ConnectionLog log;
    private final LongSupplier nanoTime;
    private final Map<String, Budget> budgets = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Budget> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    private static final class Budget {
        final AnswerRate rate;
        int suppressed;

        Budget(long now) {
            rate = new AnswerRate(BURST, INTERVAL.toNanos(), now);
        }
    }

    ServerLog(ConnectionLog log) {
        this(log, System::nanoTime);
    }

    ServerLog(ConnectionLog log, LongSupplier nanoTime) {
        this.log = log;
        this.nanoTime = nanoTime;
    }

    /** A connection refused before HELLO. */
    void refused(SocketAddress remote, ConnectFailure failure) {
        if (admit(remote)) {
            log.refused(Peer.address(remote), failure);
        }
    }

    /** A connection that ended before HELLO, for {@code reason}: a refusal, in the words of its typed failure. */
    void endedBeforeHello(SocketAddress remote, StreamClosedException reason) {
        refused(remote, reason.connectFailure().orElseGet(() -> new ConnectFailure.BrokeProtocol(reason.getMessage())));
    }

    /** True when a refusal of {@code remote} may be logged now; says first how many were left out before it. */
    private synchronized boolean admit(SocketAddress remote) {
        String address = host(remote);
        long now = nanoTime.getAsLong();
        Budget budget = budgets.computeIfAbsent(address, a -> new Budget(now));
        if (!budget.rate.admit(now)) {
            budget.suppressed++;
            return false;
        }
        if (budget.suppressed > 0) {
            log.suppressed(address, budget.suppressed);
            budget.suppressed = 0;
        }
        return true;
    }

    /** How many addresses have a budget now (at most {@link #MAX_ADDRESSES}). */
    synchronized int addressesRemembered() {
        return budgets.size();
    }

    private static String host(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }
}
