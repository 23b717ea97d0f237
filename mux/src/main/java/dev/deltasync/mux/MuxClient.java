package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.peer.HostPort;
import dev.deltasync.protocol.ErrorCode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Dials a deltasync server; the returned session owns its event loop and frees it when closed. */
public final class MuxClient {
    private MuxClient() {}

    /**
     * Connects to the first address {@code host} resolves to that accepts a TCP connection (so {@code localhost}
     * reaches a server on [::1] or on 127.0.0.1), then completes TLS (unless {@code config} is plaintext) and the
     * HELLO exchange.
     *
     * @throws StreamClosedException when no address can be reached or the handshake fails; its
     *                               {@link StreamClosedException#connectFailure()} says what happened
     */
    public static MuxSession connect(String host, int port, MuxConfig config)
            throws StreamClosedException, InterruptedException {
        List<InetAddress> addresses;
        try {
            addresses = List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw unreachable(host, port, ConnectFailure.Unreachable.Cause.UNKNOWN_HOST, "unknown host");
        }
        return connect(host, addresses, port, config);
    }

    /** Tries {@code addresses} (what {@code host} resolved to) in order until one accepts a TCP connection. */
    static MuxSession connect(String host, List<InetAddress> addresses, int port, MuxConfig config)
            throws StreamClosedException, InterruptedException {
        StreamClosedException last = null;
        for (InetAddress address : addresses) {
            try {
                return connect(host, new InetSocketAddress(address, port), config);
            } catch (StreamClosedException e) {
                if (!(e.connectFailure().orElse(null) instanceof ConnectFailure.Unreachable)) {
                    throw e; // reached and refused: another address of the same host would say the same
                }
                last = e;
            }
        }
        throw last;
    }

    private static MuxSession connect(String host, InetSocketAddress address, MuxConfig config)
            throws StreamClosedException, InterruptedException {
        String where = HostPort.format(host, address.getPort());
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        CompletableFuture<MuxSession> session = new CompletableFuture<>();
        Duration connectTimeout = config.handshakeTimeout();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        session.complete(MuxPipeline.install(channel, MuxSession.Side.CLIENT, config, null, host,
                                address.getPort(), null, null));
                    }
                });
        ChannelFuture connected = bootstrap.connect(address).await();
        if (!connected.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw unreachable(connected.cause(), where, connectTimeout);
        }
        connected.channel().closeFuture().addListener(f -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
        MuxSession muxSession = session.join();
        try {
            muxSession.handshake().get(config.handshakeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            connected.channel().close();
            StreamClosedException cause = e.getCause() instanceof StreamClosedException closed ? closed
                    : new StreamClosedException(ErrorCode.INTERNAL_ERROR.code(), String.valueOf(e.getCause()), false);
            throw new StreamClosedException(cause.code(), "handshake with " + where + " failed: " + cause.getMessage(),
                    cause.byPeer(), cause.connectFailure().orElse(null));
        } catch (TimeoutException e) {
            connected.channel().close();
            ConnectFailure failure = new ConnectFailure.HandshakeTimeout(config.handshakeTimeout(), false);
            throw new StreamClosedException(ErrorCode.IDLE_TIMEOUT.code(),
                    "handshake with " + where + " failed: " + failure.describe(), false, failure);
        }
        return muxSession;
    }

    /**
     * What a failed connect means. Netty's native transport words its errors for C programmers ("finishConnect(..)
     * failed: Connection refused") and its timeout carries no useful text; the JDK's refusal is only text too.
     */
    private static StreamClosedException unreachable(Throwable cause, String where, Duration timeout) {
        if (cause instanceof ConnectTimeoutException) {
            return unreachable(where, ConnectFailure.Unreachable.Cause.TIMED_OUT,
                    "connection timed out after " + timeout.toSeconds() + " s");
        }
        String message = cause == null || cause.getMessage() == null ? "unknown reason" : cause.getMessage();
        if (message.contains("Connection refused")) {
            return unreachable(where, ConnectFailure.Unreachable.Cause.REFUSED, "connection refused");
        }
        return unreachable(where, ConnectFailure.Unreachable.Cause.OTHER,
                message.replaceFirst("^[a-zA-Z]+\\(\\.\\.\\) failed: ", "").replaceFirst(": /.*$", ""));
    }

    private static StreamClosedException unreachable(String where, ConnectFailure.Unreachable.Cause cause, String detail) {
        ConnectFailure failure = new ConnectFailure.Unreachable(where, cause, detail);
        return new StreamClosedException(ErrorCode.CANCEL.code(), failure.describe(), false, failure);
    }

    private static StreamClosedException unreachable(String host, int port, ConnectFailure.Unreachable.Cause cause,
                                                     String detail) {
        return unreachable(HostPort.format(host, port), cause, detail);
    }
}
