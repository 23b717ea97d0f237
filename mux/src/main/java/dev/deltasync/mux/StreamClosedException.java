package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import java.io.IOException;

/**
 * A stream ended: the peer reset it, we reset it, or the connection went away. Carries the protocol
 * error code so the engine and the CLI can tell "unknown region" from "peer vanished" without reading text.
 */
public final class StreamClosedException extends IOException {
    private final int code;
    private final boolean byPeer;

    public StreamClosedException(int code, String reason, boolean byPeer) {
        super(reason);
        this.code = code;
        this.byPeer = byPeer;
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
