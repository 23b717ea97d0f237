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
    private final boolean authenticationFailed;

    public StreamClosedException(int code, String reason, boolean byPeer) {
        this(code, reason, byPeer, false);
    }

    /** @param authenticationFailed the TLS handshake refused a certificate: reconnecting would fail the same way */
    public StreamClosedException(int code, String reason, boolean byPeer, boolean authenticationFailed) {
        super(reason);
        this.code = code;
        this.byPeer = byPeer;
        this.authenticationFailed = authenticationFailed;
    }

    /** True when the connection ended because TLS authentication failed (not a timeout, not a lost link). */
    public boolean authenticationFailed() {
        return authenticationFailed;
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
