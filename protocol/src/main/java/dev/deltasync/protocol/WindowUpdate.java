package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

/**
 * WINDOW_UPDATE: grants flow-control credit for the connection (stream 0) or one stream (PROTOCOL.md §4.4, §6).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 Increment (u32, 1..2^31-1)                    |
 * +---------------------------------------------------------------+
 * </pre>
 */
public record WindowUpdate(int streamId, int increment) implements Frame {

    static final int INCREMENT_OFFSET = 0;
    static final int LENGTH = 4;

    public WindowUpdate {
        Wire.u31(streamId, "stream id");
        Wire.range(Integer.toUnsignedLong(increment), 1, Constants.MAX_WINDOW, "increment");
    }

    @Override
    public int type() {
        return FrameType.WINDOW_UPDATE;
    }

    @Override
    public int payloadLength() {
        return LENGTH;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt(increment);
    }

    static WindowUpdate read(Payload p) throws ProtocolException {
        p.requireLength(LENGTH);
        int increment = p.u32(INCREMENT_OFFSET);
        return p.build(() -> new WindowUpdate(p.streamId(), increment));
    }
}
