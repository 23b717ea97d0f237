package dev.deltasync.sync;

import dev.deltasync.protocol.ErrorCode;

/**
 * A sync of one region failed, with the protocol error code that says why (unknown region, read-only,
 * size mismatch, peer gone...), so callers decide by code, never by message text.
 */
public final class SyncException extends Exception {
    private final ErrorCode code;

    public SyncException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public SyncException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
