package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The payload of one frame whose header has been accepted, as the records' {@code read} methods see it. Every
 * accessor checks its bounds first, so a lying length field becomes a {@link ProtocolException}, never an
 * IndexOutOfBoundsException. Errors take the tier of the frame's stream (PROTOCOL.md §8.2): stream 0 is the
 * connection.
 */
final class Payload {

    private final int type;
    private final int flags;
    private final int streamId;
    private final ByteBuf buf;
    private final int base;
    private final int length;

    Payload(int type, int flags, int streamId, ByteBuf buf) {
        this.type = type;
        this.flags = flags;
        this.streamId = streamId;
        this.buf = buf;
        this.base = buf.readerIndex();
        this.length = buf.readableBytes();
    }

    int flags() {
        return flags;
    }

    int streamId() {
        return streamId;
    }

    int length() {
        return length;
    }

    void requireLength(int exact) throws ProtocolException {
        if (length != exact) {
            throw error(ErrorCode.FRAME_SIZE_ERROR, "%s payload is %d bytes, must be %d",
                    FrameType.name(type), length, exact);
        }
    }

    void requireAtLeast(int min) throws ProtocolException {
        if (length < min) {
            throw error(ErrorCode.FRAME_SIZE_ERROR, "%s payload is %d bytes, needs at least %d",
                    FrameType.name(type), length, min);
        }
    }

    int u8(int offset) throws ProtocolException {
        inBounds(offset, 1);
        return buf.getUnsignedByte(base + offset);
    }

    int u16(int offset) throws ProtocolException {
        inBounds(offset, 2);
        return buf.getUnsignedShort(base + offset);
    }

    /** A u32 as its raw 32 bits; constructors reject values that need the high bit where it is reserved. */
    int u32(int offset) throws ProtocolException {
        inBounds(offset, 4);
        return buf.getInt(base + offset);
    }

    long u64(int offset) throws ProtocolException {
        inBounds(offset, 8);
        return buf.getLong(base + offset);
    }

    byte[] bytes(int offset, int count) throws ProtocolException {
        inBounds(offset, count);
        byte[] out = new byte[count];
        buf.getBytes(base + offset, out);
        return out;
    }

    /** Bytes from {@code offset} to the end of the payload. */
    byte[] rest(int offset) throws ProtocolException {
        return bytes(offset, length - offset);
    }

    /** Strict UTF-8: malformed sequences, overlong forms and encoded surrogates are PROTOCOL_ERROR. */
    String utf8(int offset, int count, String field) throws ProtocolException {
        byte[] bytes = bytes(offset, count);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error(ErrorCode.PROTOCOL_ERROR, "%s %s is not valid UTF-8", FrameType.name(type), field);
        }
    }

    /** Runs a record (or field) constructor; a field rule it rejects is the peer's PROTOCOL_ERROR. */
    <T> T build(Supplier<T> constructor) throws ProtocolException {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw error(ErrorCode.PROTOCOL_ERROR, "%s: %s", FrameType.name(type), e.getMessage());
        }
    }

    ProtocolException error(ErrorCode code, String fmt, Object... args) {
        return streamId == 0
                ? ProtocolException.connectionError(code, fmt, args)
                : ProtocolException.streamError(streamId, code, fmt, args);
    }

    private void inBounds(int offset, int count) throws ProtocolException {
        if (offset < 0 || count < 0 || offset > length - count) {
            throw error(ErrorCode.FRAME_SIZE_ERROR, "%s payload of %d bytes ends before byte %d",
                    FrameType.name(type), length, (long) offset + count);
        }
    }
}
