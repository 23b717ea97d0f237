package dev.deltasync.mux;

import java.util.function.Consumer;

/** Where a server reports connections it refused before HELLO, with the peer's address and what happened. */
@FunctionalInterface
public interface ConnectionLog {
    void refused(String remote, ConnectFailure failure);

    /** One line per refusal, {@code connection from ADDRESS refused: WHAT}; null gives null (no log). */
    static ConnectionLog lines(Consumer<String> lines) {
        return lines == null ? null
                : (remote, failure) -> lines.accept("connection from " + remote + " refused: " + failure.describe());
    }
}
