package dev.deltasync.mux;

import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The one place that lays out a connection's pipeline, for clients and servers alike. */
final class MuxPipeline {
    /**
     * The socket stops being writable above this many buffered bytes; the session then stops pulling
     * frames from streams until it drains, so the outbound buffer holds about one frame beyond it.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 512 * 1024);

    private MuxPipeline() {}

    /**
     * Lays out the pipeline: TLS first when configured (PROTOCOL.md §12: TLS 1.3 sits below the framing), then
     * keepalive, the frame codec and the session.
     *
     * @param peerHost the host a client dialled (for SNI and, with a CA, the host name check); null on a server
     * @param log      where a server reports connections refused before HELLO; null for none
     * @param streamless a server closes a connection that has had no open stream for this long; null on a client
     */
    static MuxSession install(SocketChannel channel, MuxSession.Side side, MuxConfig config, StreamAcceptor acceptor,
                              String peerHost, int peerPort, ServerLog log, Duration streamless) {
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        channel.config().setWriteBufferWaterMark(WATER_MARK);
        FrameDecoder decoder = new FrameDecoder();
        MuxSession session = new MuxSession(side, config, decoder, channel.eventLoop(), acceptor, log, streamless);
        if (config.tls() != null) {
            channel.pipeline().addLast("tls", side == MuxSession.Side.SERVER
                    ? config.tls().newServerHandler(channel.alloc(), config.handshakeTimeout())
                    : config.tls().newClientHandler(channel.alloc(), peerHost, peerPort, config.handshakeTimeout()));
        }
        channel.pipeline()
                .addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(),
                        config.pingInterval().toMillis(), 0, TimeUnit.MILLISECONDS))
                .addLast("decoder", decoder)
                .addLast("encoder", new FrameEncoder())
                .addLast("session", session);
        return session;
    }
}
