package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Accepts deltasync connections and hands every stream a client opens to the {@link StreamAcceptor}. */
public final class MuxServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final ChannelGroup connections;

    private MuxServer(EventLoopGroup group, Channel channel, ChannelGroup connections) {
        this.group = group;
        this.channel = channel;
        this.connections = connections;
    }

    /** Binds {@code host:port} (port 0 picks a free one, see {@link #port()}). */
    public static MuxServer start(String host, int port, MuxConfig config, StreamAcceptor acceptor)
            throws IOException, InterruptedException {
        return start(host, port, config, acceptor, (ConnectionLog) null, ServerLimits.defaults());
    }

    /** As {@link #start(String, int, MuxConfig, StreamAcceptor, ConnectionLog, ServerLimits)}, with the default caps. */
    public static MuxServer start(String host, int port, MuxConfig config, StreamAcceptor acceptor, ConnectionLog log)
            throws IOException, InterruptedException {
        return start(host, port, config, acceptor, log, ServerLimits.defaults());
    }

    /** As {@link #start(String, int, MuxConfig, StreamAcceptor, ConnectionLog, ServerLimits)}, with log lines and another per-address cap. */
    public static MuxServer start(String host, int port, MuxConfig config, StreamAcceptor acceptor,
                                  Consumer<String> log, int maxConnectionsPerAddress)
            throws IOException, InterruptedException {
        return start(host, port, config, acceptor, ConnectionLog.lines(log),
                ServerLimits.defaults().withPerAddress(maxConnectionsPerAddress));
    }

    /**
     * Binds {@code host:port}; {@code log} (may be null) hears of every connection refused before HELLO, e.g. a
     * client whose certificate is not pinned, with its address and what happened. Connections are counted against
     * {@code limits}.
     */
    public static MuxServer start(String host, int port, MuxConfig config, StreamAcceptor acceptor,
                                  ConnectionLog log, ServerLimits limits)
            throws IOException, InterruptedException {
        ServerLog serverLog = log == null ? null : new ServerLog(log);
        ConnectionLimiter limiter = new ConnectionLimiter(limits, serverLog);
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE); // drops closed ones itself
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true) // a restarted server gets its port back at once
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (!limiter.admit(channel)) {
                            return;
                        }
                        connections.add(channel);
                        MuxSession session;
                        try {
                            session = MuxPipeline.install(channel, MuxSession.Side.SERVER, config, acceptor,
                                    null, 0, serverLog, limits.streamless());
                        } catch (RuntimeException e) { // e.g. no TLS engine: the handshake slot must not leak
                            limiter.handshakeEnded();
                            throw e;
                        }
                        limiter.authenticatedWhen(session.handshake());
                        if (log != null) {
                            reportLifetime(session, log);
                        }
                    }
                });
        var bound = bootstrap.bind(host, port).await();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new BindException("cannot listen on " + host + ":" + port + ": " + bound.cause().getMessage());
        }
        return new MuxServer(group, bound.channel(), connections);
    }

    /** Tells {@code log} when {@code session} is open and when an open one ends (never for a refused one). */
    private static void reportLifetime(MuxSession session, ConnectionLog log) {
        session.handshake().thenRun(() -> {
            Peer peer = session.peer();
            log.opened(peer);
            session.closeFuture().thenRun(() -> log.closed(peer, session.closeReason().orElseGet(() ->
                    new StreamClosedException(ErrorCode.CANCEL.code(), "connection closed", false))));
        });
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Stops accepting and closes every connection: each is sent GOAWAY(NO_ERROR) "server shutting down", so its
     * peer sees a clean end, and is closed for good when the peer does not take it.
     */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        try (ExecutorService closing = Executors.newVirtualThreadPerTaskExecutor()) { // all at once, each <= 5 s
            for (Channel connection : connections) {
                MuxSession session = connection.pipeline().get(MuxSession.class);
                if (session != null) {
                    closing.submit(() -> session.close("server shutting down"));
                }
            }
        }
        // Closed one by one: shutting the event loops down alone left a connection open now and then (about 1 in
        // 8 under load), so its client heard of the server's end only from its idle timeout, 30 s later.
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
