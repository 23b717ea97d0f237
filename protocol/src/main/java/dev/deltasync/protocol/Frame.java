package dev.deltasync.protocol;

/**
 * One decoded frame (PROTOCOL.md §2). Each permitted record defines its own payload layout; {@link FrameCodec}
 * writes frames and {@link FrameReader} reads them.
 */
public sealed interface Frame
        permits Hello, Ping, Pong, WindowUpdate, GoAway, Open, OpenOk, Digests, Chunk, EpochEnd, EpochAck, Reset {

    /** 0 for the connection. */
    int streamId();

    /** One of {@link FrameType}. */
    int type();

    /** Header flags; 0 on every v1 frame except OPEN. */
    default int flags() {
        return 0;
    }
}
