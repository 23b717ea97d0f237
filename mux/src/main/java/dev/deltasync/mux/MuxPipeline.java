package dev.deltasync.mux;

import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The one place that lays out a connection's pipeline, for clients and servers alike. */
final class MuxPipeline {
    /**
     * The socket stops being writable above this many buffered bytes; the session then stops pulling
     * frames from streams until it drains, so the outbound buffer holds about one frame beyond it.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 512 * 1024);

    private MuxPipeline() {}

    static MuxSession install(SocketChannel channel, MuxSession.Side side, MuxConfig config, StreamAcceptor acceptor) {
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        channel.config().setWriteBufferWaterMark(WATER_MARK);
        FrameDecoder decoder = new FrameDecoder();
        MuxSession session = new MuxSession(side, config, acceptor, decoder);
        channel.pipeline()
                .addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(),
                        config.pingInterval().toMillis(), 0, TimeUnit.MILLISECONDS))
                .addLast("decoder", decoder)
                .addLast("encoder", new FrameEncoder())
                .addLast("session", session);
        return session;
    }
}
