package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

/**
 * PONG on stream 0: the answer to a {@link Ping}, echoing its opaque value (PROTOCOL.md §4.3, §7).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                    Opaque (u64, from PING)                    |
 * |                                                               |
 * +---------------------------------------------------------------+
 * </pre>
 */
public record Pong(long opaque) implements Frame {

    static final int OPAQUE_OFFSET = 0;
    static final int LENGTH = 8;

    @Override
    public int streamId() {
        return 0;
    }

    @Override
    public int type() {
        return FrameType.PONG;
    }

    @Override
    public int payloadLength() {
        return LENGTH;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(opaque);
    }

    static Pong read(Payload p) throws ProtocolException {
        p.requireLength(LENGTH);
        return new Pong(p.u64(OPAQUE_OFFSET));
    }
}
