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

    /**
     * True when trying again later may succeed: the connection went away, the region was busy, or the
     * peer hit an I/O problem. A refusal (unknown region, read-only, size mismatch, bad parameters) or
     * a broken peer would only fail the same way again.
     */
    public boolean isRetryable() {
        return switch (code) {
            case NO_ERROR, CANCEL, IDLE_TIMEOUT, INTERNAL_ERROR, IO_ERROR, REFUSED_STREAM -> true;
            default -> false;
        };
    }
}
