package dev.deltasync.protocol;

/**
 * A peer broke the protocol. The tier decides the answer (PROTOCOL.md §8.2): a connection error is answered
 * with GOAWAY and close, a stream error with RESET on {@link #streamId()} while the connection goes on.
 */
public final class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int streamId;
    private final boolean connectionError;
    private int flowControlledBytes;

    private ProtocolException(ErrorCode code, int streamId, boolean connectionError, String message) {
        super(message);
        this.code = code;
        this.streamId = streamId;
        this.connectionError = connectionError;
    }

    public static ProtocolException connectionError(ErrorCode code, String fmt, Object... args) {
        return new ProtocolException(code, 0, true, String.format(fmt, args));
    }

    public static ProtocolException streamError(int streamId, ErrorCode code, String fmt, Object... args) {
        return new ProtocolException(code, streamId, false, String.format(fmt, args));
    }

    public ErrorCode code() {
        return code;
    }

    /** The stream to reset; 0 for a connection error. */
    public int streamId() {
        return streamId;
    }

    public boolean isConnectionError() {
        return connectionError;
    }

    /**
     * Payload bytes of the rejected frame that still count against the connection window (§6): non-zero only for
     * a stream error in a DIGESTS or CHUNK frame, whose credit the receiver must still account for and grant back.
     */
    public int flowControlledBytes() {
        return flowControlledBytes;
    }

    ProtocolException withFlowControlledBytes(int bytes) {
        this.flowControlledBytes = bytes;
        return this;
    }
}
