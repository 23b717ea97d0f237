package dev.deltasync.sync;

import dev.deltasync.protocol.ErrorCode;
import java.time.Duration;
import java.util.Optional;

/**
 * A connection changed state. A following client reports all three kinds; a server reports each client's
 * {@link Connected} and {@link Disconnected}. Facts only: the CLI words them, metrics count them.
 */
public sealed interface ConnectionEvent {
    /**
     * Both HELLOs are done and streams may open.
     *
     * @param reconnect true when an earlier connection of this client was lost (never on a server)
     * @param outage    how long the client was without a connection; zero on a first connection
     */
    record Connected(RemotePeer peer, boolean reconnect, Duration outage) implements ConnectionEvent { }

    /**
     * A connection that was {@link Connected} ended.
     *
     * @param code   the code of the GOAWAY or failure that ended it; NO_ERROR when either side closed it cleanly
     * @param reason what happened, in words ("connection closed by the peer", "peer silent for 30000 ms")
     */
    record Disconnected(RemotePeer peer, ErrorCode code, String reason) implements ConnectionEvent { }

    /**
     * A client will try to connect again after {@code delay}.
     *
     * @param address the server as dialled
     * @param attempt 1 for the first try after a loss (or after a first connect failed), counting up while tries fail
     * @param failure why the previous try failed; empty when the try follows a {@link Disconnected}, which said why
     */
    record Reconnecting(String address, int attempt, Duration delay, Optional<SyncException> failure)
            implements ConnectionEvent { }
}
