package dev.deltasync.mux;

import java.util.function.Consumer;

/**
 * Where a server reports its connections: those it refused before HELLO, with the peer's address and what
 * happened, and those that got through, when both HELLOs are done and when they end.
 */
@FunctionalInterface
public interface ConnectionLog {
    void refused(String remote, ConnectFailure failure);

    /** Both HELLOs (and TLS) are done: {@code peer} may open streams now. */
    default void opened(Peer peer) { }

    /** A connection that {@link #opened} has ended, for {@code reason}. */
    default void closed(Peer peer, StreamClosedException reason) { }

    /** One line per refusal, {@code connection from ADDRESS refused: WHAT}; null gives null (no log). */
    static ConnectionLog lines(Consumer<String> lines) {
        return lines == null ? null
                : (remote, failure) -> lines.accept("connection from " + remote + " refused: " + failure.describe());
    }
}
