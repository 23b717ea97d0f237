package dev.deltasync.mux;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.WindowUpdate;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * One deltasync connection: its Netty callbacks and lifecycle (HELLO exchange, keepalive, GOAWAY, close: PROTOCOL.md
 * §3, §7), delegating to {@link StreamTable}, {@link ConnectionFlow}, {@link StreamFrames} (the peer's stream frames),
 * {@link StreamScheduler} (what streams ask), {@link ServerStreams}, {@link Handshake}, {@link Answers} and
 * {@link ControlWriter}. Its state is touched only on the event loop; engine threads reach it through {@link MuxStream}.
 */
public final class MuxSession extends ChannelInboundHandlerAdapter {
    enum Side { CLIENT, SERVER }

    /** How long a GOAWAY may take to leave before the connection is closed anyway. */
    private static final Duration GOAWAY_GRACE = Duration.ofSeconds(1);

    private final MuxConfig config;
    private final FrameDecoder decoder;
    private final ServerLog log;
    private final CompletableFuture<Hello> handshake = new CompletableFuture<>();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final Hello ourHello;
    private final StreamTable streams;
    private final ControlWriter control;
    private final ConnectionFlow flow;
    private final Answers answers;
    private final StreamFrames streamFrames;
    private final StreamScheduler scheduler;
    private final Handshake tls;
    private final ServerStreams served; // null on a client
    private ChannelHandlerContext ctx;
    private volatile Hello peerHello;
    private Peer peer; // fixed once both HELLOs are done; what every stream sees of the peer
    private volatile StreamClosedException terminated;

    /**
     * @param loop     the channel's event loop
     * @param acceptor what serves a client's streams, on a server, each until it has had none for {@code streamless}
     * @param log      where a server reports connections refused before HELLO or ended for flooding; null for none
     */
    MuxSession(Side side, MuxConfig config, FrameDecoder decoder, ScheduledExecutorService loop,
               StreamAcceptor acceptor, ServerLog log, Duration streamless) {
        this.config = config;
        this.decoder = decoder;
        this.log = log;
        this.ourHello = new Hello(Constants.MIN_VERSION, config.maxVersion(), config.maxFramePayload(), config.maxStreams(),
                config.streamWindow(), config.connectionWindow(), config.hashIds(), config.codecIds());
        this.streams = new StreamTable(side == Side.CLIENT);
        this.control = new ControlWriter(ControlWriter.Sink.of(() -> ctx)); // ctx is set once the handler is added
        this.flow = new ConnectionFlow(config, control);
        this.answers = new Answers(control);
        this.streamFrames = new StreamFrames(streams, flow, answers, config.maxQueuedFrames(), control.sink());
        this.scheduler = new StreamScheduler(streams, flow, control.sink(), loop,
                () -> terminated == null && peerHello != null);
        this.tls = new Handshake(config, side == Side.CLIENT ? ConnectFailure.Peer.SERVER : ConnectFailure.Peer.CLIENT);
        this.served = side == Side.CLIENT ? null : new ServerStreams(streams, this::newStream, answers, acceptor, config,
                streamless, loop, reason -> terminate(ErrorCode.IDLE_TIMEOUT.code(), reason, false));
    }

    /** Completes with the peer's HELLO once both sides agreed on a version. */
    public CompletableFuture<Hello> handshake() {
        return handshake;
    }

    /** Completes when the connection is closed, for any reason. */
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    /** The peer as its streams see it; null until both HELLOs are done. */
    public Peer peer() {
        return peer;
    }

    /** Why the connection ended (a GOAWAY either way, the peer gone silent or away...); empty while it is open. */
    public Optional<StreamClosedException> closeReason() {
        return Optional.ofNullable(terminated);
    }

    public boolean isOpen() {
        return terminated == null && ctx != null && ctx.channel().isActive();
    }

    /**
     * Opens a stream (client side): {@code open} builds the OPEN frame for the id chosen here.
     * The answer (OPEN_OK or RESET) arrives through the stream's {@code receive()}.
     */
    public MuxStream openStream(IntFunction<Open> open) throws StreamClosedException, InterruptedException {
        if (served != null) {
            throw new IllegalStateException("only a client opens streams");
        }
        return scheduler.onLoopAndWait(() -> {
            if (terminated != null) {
                throw terminated;
            }
            MuxStream stream = streams.openNext(peerHello.maxStreams(), this::newStream);
            stream.send(open.apply(stream.id()));
            return stream;
        });
    }

    public void close() {
        close("closed by this side");
    }

    /** Closes the connection gracefully: GOAWAY(NO_ERROR) with {@code reason}, then the socket. Waits up to 5 s. */
    public void close(String reason) {
        if (ctx == null) {
            return;
        }
        scheduler.onLoop(() -> terminate(ErrorCode.NO_ERROR.code(), reason, false));
        try {
            closeFuture.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            ctx.channel().close();
        }
    }

    // ---- Netty callbacks ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(ourHello);
        tls.armTimeout(ctx.executor(), () -> peerHello != null, this::terminate);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (terminated != null) {
            return;
        }
        try {
            switch ((Frame) message) {
                case Hello hello when peerHello == null -> onHello(hello);
                case Frame first when peerHello == null -> throw ProtocolException.connectionError(
                        ErrorCode.PROTOCOL_ERROR, "expected HELLO as the first frame, got type 0x%02x", first.type());
                case Hello h -> throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR, "second HELLO");
                case Ping ping -> answers.pong(ping);
                case Pong pong -> { }
                case WindowUpdate update -> {
                    streamFrames.window(update);
                    scheduler.pump();
                }
                case GoAway goAway -> terminate(goAway.code(),
                        "peer closed the connection: " + goAway.errorCode() + " " + goAway.reason(), true);
                case Open open when served != null -> served.open(open);
                case Open open -> throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                        "a server may not open streams");
                case Frame frame -> streamFrames.frame(frame);
            }
        } catch (ProtocolException e) {
            onProtocolError(e);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && terminated == null) {
            control.writable();
            scheduler.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            StreamClosedException failed = tls.tlsCompleted(completion,
                    () -> ctx.pipeline().get(SslHandler.class).engine().getSession());
            if (failed != null) {
                terminate(failed);
            }
        } else if (event == FrameDecoder.PEER_SPEAKS_TLS) {
            terminate(tls.peerSpeaksTls());
        } else if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            terminate(ErrorCode.IDLE_TIMEOUT.code(), "peer silent for " + config.idleTimeout().toMillis() + " ms", false);
        } else if (event instanceof IdleStateEvent idle && idle.state() == IdleState.WRITER_IDLE
                && peerHello != null && ctx.channel().isWritable()) {
            // Nothing but HELLO before the peer's HELLO (§3); a peer that does not read gets no PINGs piled up.
            ctx.writeAndFlush(new Ping(System.nanoTime()));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (tls.tlsFailure(cause).orElse(null) instanceof StreamClosedException failed) {
            terminate(failed);
        } else if (cause instanceof ProtocolException e) {
            onProtocolError(e);
        } else if (cause instanceof IOException) {
            terminate(ErrorCode.INTERNAL_ERROR.code(), "connection lost: " + cause.getMessage(), true);
        } else {
            terminate(ErrorCode.INTERNAL_ERROR.code(), "internal error: " + cause, false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (terminated == null) {
            ended(peerHello == null ? tls.closedBeforeHello()
                    : new StreamClosedException(ErrorCode.CANCEL.code(), "connection closed by the peer", true));
        }
        handshake.completeExceptionally(terminated);
        closeFuture.complete(null);
        ctx.fireChannelInactive();
    }

    private void onHello(Hello hello) throws ProtocolException {
        ourHello.negotiateVersion(hello);
        flow.open(hello.connectionWindow());
        decoder.maxPayload(config.maxFramePayload());
        peer = new Peer(tls.peerIdentity(), ctx.channel().remoteAddress(), ourHello, hello);
        peerHello = hello;
        handshake.complete(hello);
        if (served != null) {
            served.helloDone();
        }
    }

    private MuxStream newStream(int id) {
        return streams.add(new MuxStream(scheduler, peer, id, peerHello.streamWindow(),
                new CreditReturner(config.streamWindow(), config.maxFramePayload())));
    }

    private void onProtocolError(ProtocolException e) {
        ProtocolException fatal = streamFrames.connectionError(e, peerHello != null);
        if (fatal != null) {
            terminate(fatal.code().code(), fatal.getMessage(), false);
        }
    }

    private void terminate(int code, String reason, boolean byPeer) {
        terminate(new StreamClosedException(code, reason, byPeer));
    }

    /** Ends the connection: GOAWAY with the reason's code (unless the peer ended it or TLS cannot carry it), then close. */
    private void terminate(StreamClosedException reason) {
        if (terminated != null) {
            return;
        }
        ended(reason);
        Channel channel = ctx.channel();
        if (!reason.byPeer() && tls.ready() && channel.isActive()) {
            ctx.writeAndFlush(new GoAway(streams.highestPeerStreamId(), reason.code(), reason.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
            // A peer that does not read would hold the GOAWAY, and so the connection, for ever.
            ctx.executor().schedule(() -> channel.close(), GOAWAY_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    /** The connection is over: every stream hears why, and a server logs one that never got as far as HELLO. */
    private void ended(StreamClosedException reason) {
        terminated = reason;
        streams.clear().forEach(s -> s.markClosed(reason));
        handshake.completeExceptionally(reason);
        if (log != null && peerHello == null) { // it has no stream to report on
            log.endedBeforeHello(ctx.channel().remoteAddress(), reason);
        }
    }
}
