package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import java.util.function.Consumer;

/**
 * Where a server reports its connections: those it refused before HELLO, with the peer's address and what
 * happened, and those that got through, when both HELLOs are done and when they end. Refusals are held to a few
 * per address (an IPv6 /64) and minute, and to a bound over all addresses ({@link ServerLog}); how many were left
 * out is reported with the next one logged.
 */
@FunctionalInterface
public interface ConnectionLog {
    void refused(String remote, ConnectFailure failure);

    /**
     * {@code count} refusals of connections from {@code address} (a host, an IPv6 /64, or {@link ServerLog#OTHERS})
     * were left out since the last one logged. Ignored unless overridden: a log that shows refusals should say it.
     */
    default void suppressed(String address, int count) { }

    /** Both HELLOs (and TLS) are done: {@code peer} may open streams now. */
    default void opened(Peer peer) { }

    /** A connection that {@link #opened} has ended, for {@code reason}. */
    default void closed(Peer peer, StreamClosedException reason) { }

    /** The line for {@link #suppressed}. */
    static String suppressedLine(String address, int count) {
        return count + " more connection(s) from " + address + " refused, not logged one by one";
    }

    /** One line per refusal, {@code connection from ADDRESS refused: WHAT}; null gives null (no log). */
    static ConnectionLog lines(Consumer<String> lines) {
        return lines == null ? null : new ConnectionLog() {
            @Override
            public void refused(String remote, ConnectFailure failure) {
                lines.accept("connection from " + remote + " refused: " + failure.describe());
            }

            @Override
            public void suppressed(String address, int count) {
                lines.accept(suppressedLine(address, count));
            }
        };
    }
}
