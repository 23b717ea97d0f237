package dev.deltasync.protocol;

/**
 * Error codes carried by GOAWAY and RESET (PROTOCOL.md §8.1). Frames keep the raw int, so a code this
 * version does not know survives decode and re-encode unchanged; {@link #forCode} maps it to
 * {@link #INTERNAL_ERROR}, which is how §8.1 tells receivers to treat it.
 */
public enum ErrorCode {
    NO_ERROR(0),
    PROTOCOL_ERROR(1),
    INTERNAL_ERROR(2),
    FLOW_CONTROL_ERROR(3),
    FRAME_SIZE_ERROR(4),
    UNSUPPORTED_VERSION(5),
    REFUSED_STREAM(6),
    STREAM_CLOSED(7),
    CANCEL(8),
    IDLE_TIMEOUT(9),
    /** Also the answer to a region the peer may not access, so it learns nothing about what exists. */
    UNKNOWN_REGION(10),
    READ_ONLY(11),
    SIZE_MISMATCH(12),
    /** Hash, codec or chunk size not acceptable. */
    UNSUPPORTED_PARAMETER(13),
    COMPRESSION_ERROR(14),
    IO_ERROR(15),
    VERIFY_FAILED(16),
    /** The peer sent answered control frames faster than the receiver allows (PROTOCOL.md §7.1). */
    ENHANCE_YOUR_CALM(17);

    private static final ErrorCode[] BY_CODE = byCode();

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** Indexed by wire value, so the lookup depends on the codes, not on the order of the constants. */
    private static ErrorCode[] byCode() {
        int highest = 0;
        for (ErrorCode code : values()) {
            highest = Math.max(highest, code.code);
        }
        ErrorCode[] table = new ErrorCode[highest + 1];
        for (ErrorCode code : values()) {
            table[code.code] = code;
        }
        return table;
    }

    /** The value on the wire. */
    public int code() {
        return code;
    }

    /** The code for a wire value; unknown values (including negative ints, i.e. u32 above 2^31-1) give INTERNAL_ERROR. */
    public static ErrorCode forCode(int code) {
        return isKnown(code) ? BY_CODE[code] : INTERNAL_ERROR;
    }

    public static boolean isKnown(int code) {
        return code >= 0 && code < BY_CODE.length && BY_CODE[code] != null;
    }

    /** "PROTOCOL_ERROR" for known codes, "0x0000abcd" for unknown ones. */
    static String describe(int code) {
        return isKnown(code) ? BY_CODE[code].name() : String.format("0x%08x", code);
    }
}
