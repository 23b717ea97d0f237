package dev.deltasync.protocol;

/**
 * One decoded frame (PROTOCOL.md §2). Each permitted record defines its own payload layout; {@link FrameCodec}
 * writes frames and {@link FrameReader} reads them, through the table in {@link FrameType}.
 */
public sealed interface Frame
        permits Hello, Ping, Pong, WindowUpdate, GoAway, Open, OpenOk, Digests, Chunk, EpochEnd, EpochAck, Reset,
        Refine, PageDigests {

    /** 0 for the connection. */
    int streamId();

    /** One of {@link FrameType}. */
    int type();

    /** Header flags; 0 on every v1 frame except OPEN. */
    default int flags() {
        return 0;
    }

    /**
     * The payload length: what the header's length field says, what the receiver's limit is checked against,
     * and for DIGESTS and CHUNK the flow-control credit the frame consumes (§6).
     */
    int payloadLength();

    /** Writes the payload (not the header) in the layout of the frame's section of PROTOCOL.md §4. */
    void writePayload(io.netty.buffer.ByteBuf out);
}
