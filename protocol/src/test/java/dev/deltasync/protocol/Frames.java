package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test helpers: decode a byte array that must hold exactly one frame, and expect errors of a given code and tier. */
final class Frames {

    private Frames() {
    }

    static Frame decodeOne(byte[] bytes) throws ProtocolException {
        return decodeOne(bytes, Constants.DEFAULT_MAX_FRAME_PAYLOAD);
    }

    static Frame decodeOne(byte[] bytes, int maxPayload) throws ProtocolException {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        Frame frame = new FrameReader(maxPayload).read(in);
        assertEquals(0, in.readableBytes(), "bytes left after the frame");
        return frame;
    }

    /** A frame built by hand, header included, so tests can write what no valid record would. */
    static byte[] raw(int type, int flags, int streamId, String payloadHex) {
        byte[] payload = hex(payloadHex);
        ByteBuf out = Unpooled.buffer();
        out.writeByte(type).writeByte(flags).writeInt(streamId).writeInt(payload.length).writeBytes(payload);
        return ByteBufUtil.getBytes(out);
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static ProtocolException assertConnectionError(ErrorCode code, byte[] bytes) {
        return assertError(code, true, 0, bytes);
    }

    static ProtocolException assertStreamError(ErrorCode code, int streamId, byte[] bytes) {
        return assertError(code, false, streamId, bytes);
    }

    static ProtocolException assertError(ErrorCode code, boolean connection, int streamId, byte[] bytes) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decodeOne(bytes));
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(connection, e.isConnectionError(), e.getMessage());
        assertEquals(streamId, e.streamId(), e.getMessage());
        assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
        return e;
    }
}
