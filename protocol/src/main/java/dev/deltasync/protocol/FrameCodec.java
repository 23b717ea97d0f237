package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Writes frames: the common header here, the payload by each record (PROTOCOL.md §2). Frames are valid by
 * construction; checking a frame against the peer's maxFramePayload and the flow-control windows is the
 * sender's (mux's) job.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * |   Type (u8)   |  Flags (u8)   |        Stream Id (u31) ...    |
 * +---------------+---------------+-------------------------------+
 * | ... Stream Id                 |   Payload Length (u32) ...    |
 * +-------------------------------+-------------------------------+
 * | ... Payload Length            |  Payload                    ...
 * +-------------------------------+-------------------------------+
 * </pre>
 */
public final class FrameCodec {

    static final int TYPE_OFFSET = 0;
    static final int FLAGS_OFFSET = 1;
    static final int STREAM_ID_OFFSET = 2;
    static final int LENGTH_OFFSET = 6;

    private FrameCodec() {
    }

    /** Appends the frame, header and payload, to {@code out}. */
    public static void encode(Frame frame, ByteBuf out) {
        int payloadLength = payloadLength(frame);
        out.ensureWritable(Constants.HEADER_LENGTH + payloadLength);
        out.writeByte(frame.type()).writeByte(frame.flags()).writeInt(frame.streamId()).writeInt(payloadLength);
        frame.writePayload(out);
    }

    /** A new buffer from {@code alloc} holding exactly the encoded frame. */
    public static ByteBuf encode(Frame frame, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(encodedLength(frame));
        encode(frame, out);
        return out;
    }

    public static byte[] toBytes(Frame frame) {
        byte[] bytes = new byte[encodedLength(frame)];
        encode(frame, Unpooled.wrappedBuffer(bytes).clear());
        return bytes;
    }

    public static int encodedLength(Frame frame) {
        return Constants.HEADER_LENGTH + payloadLength(frame);
    }

    /**
     * The payload length: what the header's length field says, what the receiver's limit is checked against,
     * and for DIGESTS and CHUNK the flow-control credit the frame consumes (§6).
     */
    public static int payloadLength(Frame frame) {
        return frame.payloadLength();
    }
}
