package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

/**
 * PING on stream 0: keepalive and round-trip probe (PROTOCOL.md §4.2, §7). The peer answers with a
 * {@link Pong} carrying the same opaque value.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                         Opaque (u64)                          |
 * |                                                               |
 * +---------------------------------------------------------------+
 * </pre>
 */
public record Ping(long opaque) implements Frame {

    static final int OPAQUE_OFFSET = 0;
    static final int LENGTH = 8;

    @Override
    public int streamId() {
        return 0;
    }

    @Override
    public int type() {
        return FrameType.PING;
    }

    /** The answer §7 requires. */
    public Pong pong() {
        return new Pong(opaque);
    }

    @Override
    public int payloadLength() {
        return LENGTH;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(opaque);
    }

    static Ping read(Payload p) throws ProtocolException {
        p.requireLength(LENGTH);
        return new Ping(p.u64(OPAQUE_OFFSET));
    }
}
