package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * GOAWAY on stream 0: the sender ends the connection, with a code and a human-readable reason
 * (PROTOCOL.md §4.5, §8). The raw code is kept, so codes unknown to this version re-encode unchanged.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                      Last Stream Id (u31)                     |
 * +---------------------------------------------------------------+
 * |                       Error Code (u32)                        |
 * +---------------------------------------------------------------+
 * |  Reason (UTF-8, rest of payload, 0..1024 bytes)             ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public record GoAway(int lastStreamId, int code, String reason) implements Frame {

    static final int LAST_STREAM_ID_OFFSET = 0;
    static final int CODE_OFFSET = 4;
    static final int REASON_OFFSET = 8;

    public GoAway {
        Wire.u31(lastStreamId, "lastStreamId");
        Wire.utf8(reason, 0, Constants.MAX_REASON_BYTES, "reason");
    }

    public static GoAway of(int lastStreamId, ErrorCode code, String reason) {
        return new GoAway(lastStreamId, code.code(), reason);
    }

    @Override
    public int streamId() {
        return 0;
    }

    @Override
    public int type() {
        return FrameType.GOAWAY;
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
        out.writeInt(lastStreamId).writeInt(code);
        ByteBufUtil.reserveAndWriteUtf8(out, reason, ByteBufUtil.utf8Bytes(reason));
    }

    static GoAway read(Payload p) throws ProtocolException {
        p.requireAtLeast(REASON_OFFSET);
        int lastStreamId = p.u32(LAST_STREAM_ID_OFFSET);
        int code = p.u32(CODE_OFFSET);
        if (p.length() - REASON_OFFSET > Constants.MAX_REASON_BYTES) {
            throw p.error(ErrorCode.PROTOCOL_ERROR, "GOAWAY reason is %d bytes, at most %d allowed",
                    p.length() - REASON_OFFSET, Constants.MAX_REASON_BYTES);
        }
        String reason = p.utf8(REASON_OFFSET, p.length() - REASON_OFFSET, "reason");
        return p.build(() -> new GoAway(lastStreamId, code, reason));
    }

    @Override
    public String toString() {
        return "GoAway[lastStreamId=" + lastStreamId + ", code=" + ErrorCode.describe(code)
                + ", reason=" + reason + "]";
    }
}
