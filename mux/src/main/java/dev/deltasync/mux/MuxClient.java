package dev.deltasync.mux;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Dials a deltasync server; the returned session owns its event loop and frees it when closed. */
public final class MuxClient {
    private MuxClient() {}

    /**
     * Connects and completes the TLS handshake (unless {@code config} is plaintext) and the HELLO exchange.
     *
     * @throws IOException when the server cannot be reached or the handshake fails (the message says which)
     */
    public static MuxSession connect(String host, int port, MuxConfig config) throws IOException, InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        CompletableFuture<MuxSession> session = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        session.complete(MuxPipeline.install(channel, MuxSession.Side.CLIENT, config, null, host, port, null, null));
                    }
                });
        ChannelFuture connected = bootstrap.connect(host, port).await();
        if (!connected.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            Throwable cause = connected.cause();
            throw new ConnectException("cannot connect to " + host + ":" + port + ": " + describe(cause));
        }
        connected.channel().closeFuture().addListener(f -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
        MuxSession muxSession = session.join();
        try {
            muxSession.handshake().get(config.handshakeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            connected.channel().close();
            throw new IOException("handshake with " + host + ":" + port + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            connected.channel().close();
            throw new IOException("handshake with " + host + ":" + port + " timed out");
        }
        return muxSession;
    }

    /** Netty's native transport words its errors for C programmers ("finishConnect(..) failed: ..."). */
    private static String describe(Throwable cause) {
        String message = cause == null || cause.getMessage() == null ? "unknown reason" : cause.getMessage();
        if (message.contains("Connection refused")) {
            return "connection refused";
        }
        if (message.contains("timed out")) {
            return "timed out";
        }
        return message;
    }
}
