package dev.deltasync.mux;

import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameReader;
import dev.deltasync.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Bytes to frames through the protocol's staged {@link FrameReader}. Until the peer's HELLO arrives
 * the limit is the small pre-HELLO one; the session raises it afterwards. A connection error stops
 * reading for good; a stream error is reported and reading goes on.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    /** Fired instead of frames when the peer's first bytes are a TLS record on a plaintext connection (§12.1). */
    static final Object PEER_SPEAKS_TLS = new Object() {
        @Override
        public String toString() {
            return "the peer speaks TLS";
        }
    };

    private final FrameReader reader = new FrameReader(Constants.PRE_HELLO_MAX_PAYLOAD);
    private boolean failed;
    private boolean sawFirstBytes;

    void maxPayload(int maxPayload) {
        reader.maxPayload(maxPayload);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!sawFirstBytes && in.readableBytes() >= 2) {
            sawFirstBytes = true;
            if (looksLikeTls(in)) {
                failed = true;
                in.skipBytes(in.readableBytes());
                ctx.fireUserEventTriggered(PEER_SPEAKS_TLS);
                return;
            }
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        // One frame per call: ByteToMessageDecoder passes it on before calling again, so the session sees
        // a HELLO (and raises the limit, PROTOCOL.md §3.1) before the next header is checked, and an error
        // is reported after the frames that came before it.
        try {
            Frame frame = reader.read(in);
            if (frame != null) {
                out.add(frame);
            }
        } catch (ProtocolException e) {
            failed = e.isConnectionError();
            if (failed) {
                in.skipBytes(in.readableBytes());
            }
            ctx.fireExceptionCaught(e);
        }
    }

    /**
     * A TLS record starts with content type 20..23 and major version 3 (RFC 8446 §5.1); a deltasync stream starts
     * with HELLO, type 0x01 (PROTOCOL.md §3), so the two cannot be confused.
     */
    private static boolean looksLikeTls(ByteBuf in) {
        int type = in.getUnsignedByte(in.readerIndex());
        return type >= 20 && type <= 23 && in.getUnsignedByte(in.readerIndex() + 1) == 3;
    }
}
