package dev.deltasync.cli;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.ConnectionEvent;
import dev.deltasync.sync.RemotePeer;
import dev.deltasync.sync.StreamEvent;
import dev.deltasync.sync.SyncJob;
import java.time.Duration;
import java.util.Locale;

/** The words for the engine's connection and stream events, as push, pull and serve log them. */
final class EventText {
    private EventText() {}

    /** A client's line: connected, disconnected, reconnecting, reconnected. */
    static String client(ConnectionEvent event) {
        return switch (event) {
            case ConnectionEvent.Connected c -> c.reconnect()
                    ? "reconnected to " + peer(c.peer()) + " after " + seconds(c.outage())
                    : "connected to " + peer(c.peer());
            case ConnectionEvent.Disconnected d -> "disconnected from " + d.peer().address() + ": " + d.reason();
            case ConnectionEvent.Reconnecting r -> r.failure()
                    .map(failure -> ConnectHints.clientLine(failure) + "; reconnecting in ")
                    .orElse("reconnecting to " + r.address() + " in ")
                    + seconds(r.delay()) + " (attempt " + r.attempt() + ")";
        };
    }

    /** A server's line about a client's connection. */
    static String server(ConnectionEvent event) {
        return switch (event) {
            case ConnectionEvent.Connected c -> "connection from " + peer(c.peer()) + " accepted";
            case ConnectionEvent.Disconnected d -> "connection from " + d.peer().address() + " closed: " + d.reason();
            case ConnectionEvent.Reconnecting r -> client(r); // a server never reconnects
        };
    }

    /** A server's line about a stream: what, of which region, by whom, and how it ended. */
    static String server(StreamEvent event) {
        String what = (event.role() == SyncJob.Direction.PUSH ? "push into '" : "pull of '") + event.region()
                + "' by " + peer(event.peer());
        return switch (event) {
            case StreamEvent.Started s -> what + ": started (stream " + s.streamId() + ")";
            case StreamEvent.Ended e -> what + ": ended (stream " + e.streamId() + "), "
                    + (e.verifiedEpoch() > 0 ? "last verified at epoch " + e.verifiedEpoch() : "never verified")
                    + e.failure().map(f -> ": " + (f.code() == ErrorCode.NO_ERROR ? "" : f.code() + ": ")
                            + f.getMessage()).orElse("");
        };
    }

    /** {@code 10.0.0.1:7070 (SHA256:...)}, or {@code (plaintext)} without TLS. */
    static String peer(RemotePeer peer) {
        return peer.address() + " (" + peer.fingerprint().map(Object::toString).orElse("plaintext") + ")";
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
