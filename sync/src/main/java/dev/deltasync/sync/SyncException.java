package dev.deltasync.sync;

import dev.deltasync.protocol.ErrorCode;

/**
 * A sync of one region failed, with the protocol error code that says why (unknown region, read-only,
 * size mismatch, peer gone...), so callers decide by code, never by message text.
 */
public final class SyncException extends Exception {
    private final ErrorCode code;
    private final boolean finalFailure;

    public SyncException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public SyncException(ErrorCode code, String message, Throwable cause) {
        this(code, message, cause, false);
    }

    private SyncException(ErrorCode code, String message, Throwable cause, boolean finalFailure) {
        super(message, cause);
        this.code = code;
        this.finalFailure = finalFailure;
    }

    /** A failure that no retry can mend whatever its code, e.g. a server whose certificate is not pinned. */
    public static SyncException notRetryable(ErrorCode code, String message, Throwable cause) {
        return new SyncException(code, message, cause, true);
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
        return !finalFailure && switch (code) {
            case NO_ERROR, CANCEL, IDLE_TIMEOUT, INTERNAL_ERROR, IO_ERROR, REFUSED_STREAM -> true;
            default -> false;
        };
    }
}
