package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Reads frames from a cumulating buffer in stages, after Netty's DefaultHttp2FrameReader (PROTOCOL.md §2, §8.2):
 * read the 10-byte header and check it (the length against the limit before any payload is awaited), wait until
 * the whole payload is buffered, then let the frame's record verify and read it. Unknown types are skipped as
 * their bytes arrive, never buffered (§4.13).
 *
 * <p>Not thread-safe: one reader per connection, used from its event loop. After a connection error every
 * further {@link #read} fails, because the byte stream can no longer be trusted to be in step.
 */
public final class FrameReader {

    private int maxPayload;
    private boolean headerRead;
    private int type;
    private int flags;
    private int streamId;
    private int length;
    private int skipRemaining;
    private ProtocolException failure;
    private int largestPayloadAccepted;

    /** @param maxPayload the receive limit; {@link Constants#PRE_HELLO_MAX_PAYLOAD} until the peer's HELLO is read */
    public FrameReader(int maxPayload) {
        maxPayload(maxPayload);
    }

    /** Sets the receive limit; after the peer's HELLO, our own advertised maxFramePayload (§3.1). */
    public void maxPayload(int maxPayload) {
        if (maxPayload < 0 || maxPayload > Constants.MAX_FRAME_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload " + maxPayload + " not in 0.." + Constants.MAX_FRAME_PAYLOAD);
        }
        this.maxPayload = maxPayload;
    }

    /**
     * Reads the next frame from {@code in}, skipping frames of unknown type.
     *
     * @return the frame, or null when no whole frame is buffered yet: a header that was read is kept, the
     *         payload is left in {@code in} until all of it has arrived
     * @throws ProtocolException for malformed input; after a stream error the frame has been consumed and
     *         reading may go on, after a connection error the reader refuses to read again
     */
    public Frame read(ByteBuf in) throws ProtocolException {
        if (failure != null) {
            throw ProtocolException.connectionError(failure.code(),
                    "reader stopped by an earlier connection error: %s", failure.getMessage());
        }
        try {
            return readFrame(in);
        } catch (ProtocolException e) {
            if (e.isConnectionError()) {
                failure = e;
            }
            throw e;
        }
    }

    private Frame readFrame(ByteBuf in) throws ProtocolException {
        while (true) {
            if (!headerRead) {
                if (in.readableBytes() < Constants.HEADER_LENGTH) {
                    return null;
                }
                readHeader(in);
            }
            if (skipRemaining > 0) {
                int n = Math.min(skipRemaining, in.readableBytes());
                in.skipBytes(n);
                skipRemaining -= n;
                if (skipRemaining > 0) {
                    return null;
                }
            }
            if (!FrameType.isKnown(type)) {
                headerRead = false;
                continue;
            }
            if (in.readableBytes() < length) {
                return null;
            }
            headerRead = false;
            largestPayloadAccepted = Math.max(largestPayloadAccepted, length);
            return readPayload(new Payload(type, flags, streamId, in.readSlice(length)));
        }
    }

    private void readHeader(ByteBuf in) throws ProtocolException {
        int start = in.readerIndex();
        type = in.getUnsignedByte(start + FrameCodec.TYPE_OFFSET);
        flags = in.getUnsignedByte(start + FrameCodec.FLAGS_OFFSET);
        streamId = in.getInt(start + FrameCodec.STREAM_ID_OFFSET);
        long payloadLength = in.getUnsignedInt(start + FrameCodec.LENGTH_OFFSET);
        in.skipBytes(Constants.HEADER_LENGTH);
        if (payloadLength > maxPayload) {
            throw ProtocolException.connectionError(ErrorCode.FRAME_SIZE_ERROR,
                    "%s frame payload of %d bytes exceeds the limit of %d", FrameType.name(type), payloadLength,
                    maxPayload);
        }
        if (streamId < 0) {
            throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                    "stream id 0x%08x has the reserved high bit set", streamId);
        }
        if (FrameType.isConnectionOnly(type) && streamId != 0) {
            throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                    "%s on stream %d, allowed only on stream 0", FrameType.name(type), streamId);
        }
        if (FrameType.isStreamOnly(type) && streamId == 0) {
            throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                    "%s on stream 0, allowed only on a stream", FrameType.name(type));
        }
        length = (int) payloadLength;
        skipRemaining = FrameType.isKnown(type) ? 0 : length;
        headerRead = true;
    }

    private Frame readPayload(Payload p) throws ProtocolException {
        try {
            return FrameType.reader(type).read(p);
        } catch (ProtocolException e) {
            // A rejected DIGESTS or CHUNK still used connection credit, which the receiver must grant back (§6.3).
            throw FrameType.isFlowControlled(type) ? e.withFlowControlledBytes(p.length()) : e;
        }
    }

    /** The largest payload this reader has waited for; never above the limit in force at the time. */
    int largestPayloadAccepted() {
        return largestPayloadAccepted;
    }
}
