package dev.deltasync.sync;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.protocol.ErrorCode;
import java.util.Optional;

/**
 * A sync of one region failed, with the protocol error code that says why (unknown region, read-only,
 * size mismatch, peer gone...), so callers decide by code, never by message text.
 */
public final class SyncException extends Exception {
    private final ErrorCode code;
    private final boolean finalFailure;
    private final ConnectFailure connectFailure;

    public SyncException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public SyncException(ErrorCode code, String message, Throwable cause) {
        this(code, message, cause, false);
    }

    private SyncException(ErrorCode code, String message, Throwable cause, boolean finalFailure) {
        this(code, message, cause, finalFailure, null);
    }

    private SyncException(ErrorCode code, String message, Throwable cause, boolean finalFailure,
                          ConnectFailure connectFailure) {
        super(message, cause);
        this.code = code;
        this.finalFailure = finalFailure;
        this.connectFailure = connectFailure;
    }

    /** The connection to the server failed before both HELLOs, for the reason {@code failure} states. */
    public static SyncException connectFailed(ErrorCode code, String message, ConnectFailure failure, Throwable cause) {
        return new SyncException(code, message, cause, failure.isFinal(), failure);
    }

    /** Why the connection never got as far as both HELLOs (unreachable, not pinned, TLS refused...), if it did not. */
    public Optional<ConnectFailure> connectFailure() {
        return Optional.ofNullable(connectFailure);
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
