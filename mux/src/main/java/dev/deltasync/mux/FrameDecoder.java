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
    private final FrameReader reader = new FrameReader(Constants.PRE_HELLO_MAX_PAYLOAD);
    private boolean failed;

    void maxPayload(int maxPayload) {
        reader.maxPayload(maxPayload);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            Frame frame;
            try {
                frame = reader.read(in);
            } catch (ProtocolException e) {
                failed = e.isConnectionError();
                if (failed) {
                    in.skipBytes(in.readableBytes());
                }
                ctx.fireExceptionCaught(e);
                continue;
            }
            if (frame == null) {
                return;
            }
            out.add(frame);
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }
}
