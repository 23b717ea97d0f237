package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * RESET: either side ends one stream (PROTOCOL.md §4.12, §5). NO_ERROR is the normal end; any other code
 * is a stream error. The raw code is kept, so codes unknown to this version re-encode unchanged.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                       Error Code (u32)                        |
 * +---------------------------------------------------------------+
 * |  Reason (UTF-8, rest of payload, 0..1024 bytes)             ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public record Reset(int streamId, int code, String reason) implements Frame {

    static final int CODE_OFFSET = 0;
    static final int REASON_OFFSET = 4;

    public Reset {
        Wire.streamId(streamId);
        Wire.utf8(reason, 0, Constants.MAX_REASON_BYTES, "reason");
    }

    public static Reset of(int streamId, ErrorCode code, String reason) {
        return new Reset(streamId, code.code(), reason);
    }

    @Override
    public int type() {
        return FrameType.RESET;
    }

    /** The code, unknown ones read as INTERNAL_ERROR (§8.1). */
    public ErrorCode errorCode() {
        return ErrorCode.forCode(code);
    }

    @Override
    public int payloadLength() {
        return REASON_OFFSET + ByteBufUtil.utf8Bytes(reason);
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt(code);
        ByteBufUtil.reserveAndWriteUtf8(out, reason, ByteBufUtil.utf8Bytes(reason));
    }

    static Reset read(Payload p) throws ProtocolException {
        p.requireAtLeast(REASON_OFFSET);
        int code = p.u32(CODE_OFFSET);
        if (p.length() - REASON_OFFSET > Constants.MAX_REASON_BYTES) {
            throw p.error(ErrorCode.PROTOCOL_ERROR, "RESET reason is %d bytes, at most %d allowed",
                    p.length() - REASON_OFFSET, Constants.MAX_REASON_BYTES);
        }
        String reason = p.utf8(REASON_OFFSET, p.length() - REASON_OFFSET, "reason");
        return p.build(() -> new Reset(p.streamId(), code, reason));
    }

    @Override
    public String toString() {
        return "Reset[streamId=" + streamId + ", code=" + ErrorCode.describe(code) + ", reason=" + reason + "]";
    }
}
