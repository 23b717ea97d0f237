package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.protocol.ErrorCode;
import java.io.IOException;
import java.util.Optional;

/**
 * A stream ended: the peer reset it, we reset it, or the connection went away. Carries the protocol
 * error code so the engine and the CLI can tell "unknown region" from "peer vanished" without reading text.
 */
public final class StreamClosedException extends IOException {
    private final int code;
    private final boolean byPeer;
    private final ConnectFailure connectFailure;

    public StreamClosedException(int code, String reason, boolean byPeer) {
        this(code, reason, byPeer, null);
    }

    /** @param connectFailure why the connection never got as far as both HELLOs; null when it did */
    public StreamClosedException(int code, String reason, boolean byPeer, ConnectFailure connectFailure) {
        super(reason);
        this.code = code;
        this.byPeer = byPeer;
        this.connectFailure = connectFailure;
    }

    /** Why the connection failed before both HELLOs (a TLS refusal, a timeout, a plaintext peer...), if it did. */
    public Optional<ConnectFailure> connectFailure() {
        return Optional.ofNullable(connectFailure);
    }

    public int code() {
        return code;
    }

    public ErrorCode errorCode() {
        return ErrorCode.forCode(code);
    }

    /** True when the peer sent the RESET or GOAWAY, false when this side ended the stream. */
    public boolean byPeer() {
        return byPeer;
    }
}
