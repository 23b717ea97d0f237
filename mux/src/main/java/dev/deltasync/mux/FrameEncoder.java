package dev.deltasync.mux;

import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Frames to bytes, sized exactly so no buffer grows while a chunk is copied in. */
final class FrameEncoder extends MessageToByteEncoder<Frame> {
    FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        return ctx.alloc().ioBuffer(FrameCodec.encodedLength(frame));
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        FrameCodec.encode(frame, out);
    }
}
