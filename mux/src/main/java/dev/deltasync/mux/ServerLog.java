package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The refusals a server tells its {@link ConnectionLog}, held to {@link #BURST} per peer address and then one every
 * {@link #INTERVAL}: a peer that reconnects in a loop cannot flood the log. An IPv6 peer is one /64 (a host is
 * usually given a whole /64, so rotating source addresses inside it does not buy a fresh budget), and all addresses
 * together are held to {@link #GLOBAL_BURST} and then one every {@link #GLOBAL_INTERVAL}, so a peer that rotates
 * through many addresses (or a botnet) cannot flood it either. The next refusal logged for an address is preceded by
 * the count of those left out for it, and by the count the global bound left out, as from {@link #OTHERS}.
 * Thread-safe: a server's event loops share one.
 */
final class ServerLog {
    static final int BURST = 10;
    static final Duration INTERVAL = Duration.ofSeconds(6);
    /** Addresses remembered at once; the least recently heard of is forgotten first, so memory stays bounded. */
    static final int MAX_ADDRESSES = 1024;
    static final int GLOBAL_BURST = 100;
    static final Duration GLOBAL_INTERVAL = Duration.ofMillis(600);
    /** What a refusal the global bound left out is counted under. */
    static final String OTHERS = "other addresses";

    private final ConnectionLog log;
    private final LongSupplier nanoTime;
    private final AnswerRate global;
    private int suppressedGlobally;
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
        this.global = new AnswerRate(GLOBAL_BURST, GLOBAL_INTERVAL.toNanos(), nanoTime.getAsLong());
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
        if (!global.admit(now)) {
            suppressedGlobally++;
            return false;
        }
        if (budget.suppressed > 0) {
            log.suppressed(address, budget.suppressed);
            budget.suppressed = 0;
        }
        if (suppressedGlobally > 0) {
            log.suppressed(OTHERS, suppressedGlobally);
            suppressedGlobally = 0;
        }
        return true;
    }

    /** How many addresses have a budget now (at most {@link #MAX_ADDRESSES}). */
    synchronized int addressesRemembered() {
        return budgets.size();
    }

    /** The budget's key: an IPv4 host, or an IPv6 host's /64 ({@code 2001:db8:1:2::/64}). */
    private static String host(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(address);
        }
        if (inet.getAddress() instanceof Inet6Address v6) {
            byte[] bytes = v6.getAddress();
            StringBuilder prefix = new StringBuilder();
            for (int group = 0; group < 4; group++) {
                prefix.append(Integer.toHexString((bytes[2 * group] & 0xff) << 8 | bytes[2 * group + 1] & 0xff))
                        .append(':');
            }
            return prefix.append(":/64").toString();
        }
        return inet.getAddress().getHostAddress();
    }
}
