package dev.deltasync.mux;

import dev.deltasync.mux.tls.Fingerprint;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.Ping;
import dev.deltasync.protocol.Pong;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * One deltasync connection: the HELLO exchange, the stream table, flow-control windows, keepalive and
 * fair round-robin sending (PROTOCOL.md §§ connection, streams, flow control). All state below is
 * touched only on the channel's event loop; engine threads reach it through {@link MuxStream}.
 */
public final class MuxSession extends ChannelInboundHandlerAdapter {
    enum Side { CLIENT, SERVER }

    /** How long a GOAWAY may take to leave before the connection is closed anyway. */
    private static final Duration GOAWAY_GRACE = Duration.ofSeconds(1);

    private final Side side;
    private final MuxConfig config;
    private final StreamAcceptor acceptor;
    private final FrameDecoder decoder;
    private final ConnectionLog log;
    private final CompletableFuture<Hello> handshake = new CompletableFuture<>();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final StreamTable streams;
    private final StreamOwner owner = new StreamOwner() {
        @Override
        public void schedulePump() {
            MuxSession.this.schedulePump();
        }

        @Override
        public void returnCredit(MuxStream stream, int bytes) {
            MuxSession.this.returnCredit(stream, bytes);
        }

        @Override
        public void resetStream(MuxStream stream, ErrorCode code, String reason) {
            MuxSession.this.resetStream(stream, code, reason);
        }

        @Override
        public void releaseCredit(MuxStream stream) {
            MuxSession.this.releaseCredit(stream);
        }
    };
    /** Fixed once both HELLOs are done; what every stream sees of the peer. */
    private Peer peer;

    private ChannelHandlerContext ctx;
    private volatile Hello peerHello;
    private final ConnectionFlow flow;
    private final Hello ourHello;
    private volatile StreamClosedException terminated;
    /** Set once the TLS handshake succeeded; stays null in plaintext. */
    private volatile Fingerprint peerIdentity;
    /** False while a TLS handshake is pending: nothing we write could leave before it completes. */
    private boolean transportReady;
    private final ControlWriter control;
    private final Answers answers;
    /** Server only: how long a connection may have no stream; null on a client. */
    private final Duration streamless;
    /** Server streams whose acceptor has not returned yet: they count against maxStreams even after a RESET. */
    private int serving;
    /** Bumped whenever a stream opens, so a pending streamless check knows it is stale. */
    private int streamlessEpoch;
    private ScheduledFuture<?> streamlessTimer; // event loop only

    /**
     * @param log where a server reports connections that fail before HELLO (TLS refusals, timeouts, non-deltasync
     *            peers); a client reports through {@link #handshake()} instead
     * @param streamless a server closes the connection once it has had no open stream for this long; null on a client
     */
    MuxSession(Side side, MuxConfig config, StreamAcceptor acceptor, FrameDecoder decoder, ConnectionLog log,
               Duration streamless) {
        this.side = side;
        this.streams = new StreamTable(side == Side.CLIENT);
        this.streamless = streamless;
        this.control = new ControlWriter(ControlWriter.Sink.of(() -> ctx)); // ctx is set once the handler is added
        this.flow = new ConnectionFlow(config, control);
        this.answers = new Answers(control);
        this.config = config;
        this.acceptor = acceptor;
        this.decoder = decoder;
        this.log = log;
        this.transportReady = config.plaintext();
        this.ourHello = new Hello(Constants.VERSION, Constants.VERSION, config.maxFramePayload(), config.maxStreams(),
                config.streamWindow(), config.connectionWindow(), config.hashIds(), config.codecIds());
    }

    // ---- the API engines and endpoints use ----

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
        if (side != Side.CLIENT) {
            throw new IllegalStateException("only a client opens streams");
        }
        try {
            return ctx.executor().submit(() -> openOnLoop(open)).get();
        } catch (RejectedExecutionException e) {
            throw new StreamClosedException(ErrorCode.CANCEL.code(), "connection closed", false);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StreamClosedException closed) {
                throw closed;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private MuxStream openOnLoop(IntFunction<Open> open) throws StreamClosedException, InterruptedException {
        if (terminated != null) {
            throw terminated;
        }
        if (streams.size() >= peerHello.maxStreams()) {
            throw new StreamClosedException(ErrorCode.REFUSED_STREAM.code(),
                    "the peer allows at most " + peerHello.maxStreams() + " concurrent streams", false);
        }
        int id = streams.nextId();
        MuxStream stream = newStream(id);
        stream.send(open.apply(id));
        return stream;
    }

    /** Closes the connection gracefully: GOAWAY(NO_ERROR), then the socket. Waits up to 5 s. */
    public void close() {
        if (ctx == null) {
            return;
        }
        onLoop(() -> terminate(ErrorCode.NO_ERROR, "closed by this side", false));
        try {
            closeFuture.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            ctx.channel().close();
        }
    }

    // ---- what streams ask of the connection (StreamOwner), from engine threads ----

    private void schedulePump() {
        if (ctx != null && pumpScheduled.compareAndSet(false, true)) {
            onLoop(() -> {
                pumpScheduled.set(false);
                pump();
            });
        }
    }

    private void returnCredit(MuxStream stream, int bytes) {
        onLoop(() -> {
            if (terminated != null) {
                return; // no WINDOW_UPDATE after our GOAWAY
            }
            boolean wrote = streams.get(stream.id()) == stream ? flow.consumed(stream, bytes) : flow.consumed(bytes);
            if (wrote) { // credit goes back in batches: most frames consumed write nothing to flush
                ctx.flush();
            }
        });
    }

    /**
     * Ends a stream from this side. NO_ERROR is graceful: frames queued before it still go out, then
     * the RESET. Any other code aborts: queued frames are dropped and the RESET goes out now.
     */
    private void resetStream(MuxStream stream, ErrorCode code, String reason) {
        StreamClosedException closed = new StreamClosedException(code.code(), reason, false);
        if (code == ErrorCode.NO_ERROR) {
            stream.closeAfterQueued(closed, Reset.of(stream.id(), code, reason));
            schedulePump();
            return;
        }
        stream.markClosed(closed);
        onLoop(() -> {
            if (streams.forget(stream.id()) == stream) {
                ctx.writeAndFlush(Reset.of(stream.id(), code, reason));
            }
        });
    }

    /** Runs {@code task} on the event loop; once the connection's loop has shut down there is nothing left to do. */
    private void onLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // The connection is gone and its streams were already closed.
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
        Duration timeout = config.handshakeTimeout();
        ctx.executor().schedule(() -> {
            if (peerHello == null && terminated == null) {
                ConnectFailure failure = new ConnectFailure.HandshakeTimeout(timeout, false);
                terminate(new StreamClosedException(ErrorCode.IDLE_TIMEOUT.code(), failure.describe(), false, failure));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (terminated != null) {
            return;
        }
        Frame frame = (Frame) message;
        try {
            if (peerHello == null) {
                onFirstFrame(frame);
                return;
            }
            switch (frame) {
                case Hello h -> throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR, "second HELLO");
                case Ping ping -> answers.pong(ping);
                case Pong pong -> { }
                case WindowUpdate update -> onWindowUpdate(update);
                case GoAway goAway -> terminate(goAway.code(),
                        "peer closed the connection: " + goAway.errorCode() + " " + goAway.reason(), true);
                case Open open -> onOpen(open);
                default -> onStreamFrame(frame);
            }
        } catch (ProtocolException e) {
            onProtocolError(e);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && terminated == null) {
            control.writable();
            pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            onTlsHandshake(completion);
        } else if (event == FrameDecoder.PEER_SPEAKS_TLS) {
            ConnectFailure failure = new ConnectFailure.TlsPeer(peerRole());
            terminate(new StreamClosedException(ErrorCode.PROTOCOL_ERROR.code(), failure.describe(), false, failure));
        } else if (event instanceof IdleStateEvent idle) {
            switch (idle.state()) {
                case READER_IDLE -> terminate(ErrorCode.IDLE_TIMEOUT,
                        "peer silent for " + config.idleTimeout().toMillis() + " ms", false);
                case WRITER_IDLE -> {
                    // Nothing but HELLO before the peer's HELLO (PROTOCOL.md §3); a peer that does not read gets
                    // no PINGs piled up either.
                    if (peerHello != null && ctx.channel().isWritable()) {
                        ctx.writeAndFlush(new Ping(System.nanoTime()));
                    }
                }
                default -> { }
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Optional<Throwable> tls = TlsFailures.find(cause);
        if (tls.isPresent()) {
            transportReady = false; // a broken TLS session cannot carry a GOAWAY
            terminateTls(tls.get());
        } else if (cause instanceof ProtocolException e) {
            onProtocolError(e);
        } else if (cause instanceof IOException) {
            terminate(ErrorCode.INTERNAL_ERROR, "connection lost: " + cause.getMessage(), true);
        } else {
            terminate(ErrorCode.INTERNAL_ERROR, "internal error: " + cause, false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (terminated == null) {
            ConnectFailure failure = peerHello == null
                    ? new ConnectFailure.ClosedBeforeHello(peerRole(), config.plaintext()) : null;
            StreamClosedException reason = new StreamClosedException(ErrorCode.CANCEL.code(),
                    failure == null ? "connection closed by the peer" : failure.describe(), true, failure);
            logRefusal(reason);
            closeEverything(reason);
        }
        handshake.completeExceptionally(terminated);
        closeFuture.complete(null);
        ctx.fireChannelInactive();
    }

    // ---- TLS (PROTOCOL.md §12) ----

    private void onTlsHandshake(SslHandshakeCompletionEvent completion) {
        if (!completion.isSuccess()) {
            transportReady = false;
            terminateTls(completion.cause());
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        Optional<Fingerprint> presented = TlsSettings.peerFingerprint(ssl.engine().getSession());
        if (presented.isEmpty()) { // cannot happen with client auth required, but never serve an anonymous peer
            transportReady = false;
            terminate(ErrorCode.CANCEL, "the peer presented no certificate", true);
            return;
        }
        peerIdentity = presented.get();
        transportReady = true;
    }

    /** Ends a connection whose TLS failed, saying what happened (PROTOCOL.md §12). */
    private void terminateTls(Throwable cause) {
        ConnectFailure failure = TlsFailures.classify(cause, peerRole(),
                config.tls() == null ? null : config.tls().identity().fingerprint(), config.handshakeTimeout());
        terminate(new StreamClosedException(ErrorCode.CANCEL.code(), failure.describe(), true, failure));
    }

    private ConnectFailure.Peer peerRole() {
        return side == Side.CLIENT ? ConnectFailure.Peer.SERVER : ConnectFailure.Peer.CLIENT;
    }

    /** A server logs connections that never got as far as HELLO; they have no stream to report on. */
    private void logRefusal(StreamClosedException reason) {
        if (side == Side.SERVER && log != null && peerHello == null) {
            log.refused(remote(), reason.connectFailure()
                    .orElseGet(() -> new ConnectFailure.BrokeProtocol(reason.getMessage())));
        }
    }

    private String remote() {
        Object address = ctx == null ? null : ctx.channel().remoteAddress();
        if (address instanceof java.net.InetSocketAddress inet) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    // ---- inbound frames ----

    private void onFirstFrame(Frame frame) throws ProtocolException {
        if (!(frame instanceof Hello hello)) {
            throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                    "expected HELLO as the first frame, got type 0x%02x", frame.type());
        }
        ourHello.negotiateVersion(hello);
        flow.open(hello.connectionWindow());
        decoder.maxPayload(config.maxFramePayload());
        peer = new Peer(peerIdentity, remote(), ourHello, hello);
        peerHello = hello;
        handshake.complete(hello);
        closeWhenStreamless();
    }

    private void onWindowUpdate(WindowUpdate update) throws ProtocolException {
        if (update.streamId() == 0) {
            flow.granted(update.increment());
        } else {
            MuxStream stream = streams.get(update.streamId());
            if (stream == null && streams.neverOpened(update.streamId())) {
                throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                        "WINDOW_UPDATE for stream %d, which was never opened", update.streamId());
            }
            if (stream != null && !stream.granted(update.increment())) {
                // PROTOCOL.md §6.2: a stream window overflow ends only that stream; its RESET is an answer the
                // peer caused, so it is counted and held like the others (§7.1).
                throw ProtocolException.streamError(stream.id(), ErrorCode.FLOW_CONTROL_ERROR,
                        "window of stream %d above 2^31-1", stream.id());
            }
        }
        pump();
    }

    private void onOpen(Open open) throws ProtocolException {
        int id = open.streamId();
        if (side == Side.CLIENT) {
            throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR, "a server may not open streams");
        }
        streams.acceptPeerId(id);
        if (serving >= config.maxStreams()) {
            answers.reset(Reset.of(id, ErrorCode.REFUSED_STREAM,
                    "too many concurrent streams (limit " + config.maxStreams() + ")"));
            return;
        }
        MuxStream stream = newStream(id);
        stream.deliver(open, config.maxQueuedFrames());
        serving++;
        streamlessEpoch++;
        cancelStreamlessTimer();
        Thread.ofVirtual().name("deltasync-stream-" + id).start(() -> serve(stream));
    }

    /** A server stream's acceptor returned: its slot is free, and the connection may now be without streams. */
    private void served() {
        if (--serving == 0) {
            closeWhenStreamless();
        }
    }

    /** PROTOCOL.md §5.2: a server closes a connection that has had no open stream for {@link #streamless}. */
    private void closeWhenStreamless() {
        if (streamless == null) {
            return;
        }
        int epoch = streamlessEpoch;
        cancelStreamlessTimer();
        streamlessTimer = ctx.executor().schedule(() -> {
            if (serving == 0 && epoch == streamlessEpoch && terminated == null) {
                terminate(ErrorCode.IDLE_TIMEOUT, "no stream open for " + streamless.toMillis() + " ms", false);
            }
        }, streamless.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One timer at a time: open/reset loops must not leave a task per stream on the event loop for a minute. */
    private void cancelStreamlessTimer() {
        if (streamlessTimer != null) {
            streamlessTimer.cancel(false);
            streamlessTimer = null;
        }
    }

    private void serve(MuxStream stream) {
        try {
            acceptor.accept(stream);
            if (!stream.isClosed()) {
                stream.reset(ErrorCode.NO_ERROR, "done");
            }
        } catch (StreamClosedException e) {
            stream.reset(ErrorCode.CANCEL, e.getMessage());
        } catch (Exception | Error e) {
            stream.reset(ErrorCode.INTERNAL_ERROR, "server error: " + e);
        } finally {
            releaseCredit(stream);
            onLoop(this::served);
        }
    }

    /**
     * PROTOCOL.md §6.3: credit of frames the engine took last or will never take goes back to the
     * connection, or every stream that ends early (reset by either side) shrinks its window for good.
     */
    private void releaseCredit(MuxStream stream) {
        onLoop(() -> {
            if (terminated == null && flow.consumed(stream.abandon())) {
                ctx.flush();
            }
        });
    }

    private void onStreamFrame(Frame frame) throws ProtocolException {
        int id = frame.streamId();
        int cost = FlowControl.cost(frame);
        flow.received(cost);
        MuxStream stream = streams.get(id);
        if (stream == null) {
            if (streams.neverOpened(id)) {
                throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                        "frame type 0x%02x for stream %d, which was never opened", frame.type(), id);
            }
            grantBackDropped(cost); // a closed stream
            return;
        }
        flow.received(stream, cost);
        if (frame instanceof Reset reset) {
            streams.forget(id);
            stream.markClosed(new StreamClosedException(reset.code(), reset.reason(), true));
        } else {
            switch (stream.deliver(frame, config.maxQueuedFrames())) {
                case QUEUED -> { }
                case DROPPED -> grantBackDropped(cost); // ended by this side, not forgotten yet
                case TOO_MANY_CONTROL_FRAMES -> throw ProtocolException.streamError(id, ErrorCode.FLOW_CONTROL_ERROR,
                        "more than %d control frames queued", config.maxQueuedFrames());
            }
        }
    }

    /** A dropped frame still spent connection credit (PROTOCOL.md §6.3): grant it back now. */
    private void grantBackDropped(int cost) {
        if (flow.consumed(cost)) {
            ctx.flush();
        }
    }

    private void onProtocolError(ProtocolException e) {
        if (e.isConnectionError()) {
            terminate(e.code(), e.getMessage(), false);
            return;
        }
        if (peerHello == null) { // HELLO comes first, also when the first frame is a malformed stream frame
            terminate(ErrorCode.PROTOCOL_ERROR, "expected HELLO as the first frame, got a malformed stream frame: "
                    + e.getMessage(), false);
            return;
        }
        int cost = e.flowControlledBytes();
        try { // a malformed CHUNK or DIGESTS still spent connection credit, which we grant back
            flow.received(cost);
        } catch (ProtocolException overflow) {
            onProtocolError(overflow);
            return;
        }
        flow.consumed(cost);
        MuxStream stream = streams.forget(e.streamId());
        if (stream != null) {
            stream.markClosed(new StreamClosedException(e.code().code(), e.getMessage(), false));
        }
        try {
            answers.reset(Reset.of(e.streamId(), e.code(), e.getMessage()));
        } catch (ProtocolException calm) {
            onProtocolError(calm);
        }
    }

    // ---- outbound ----

    private MuxStream newStream(int id) {
        MuxStream stream = new MuxStream(owner, peer, id, peerHello.streamWindow(),
                new CreditReturner(config.streamWindow(), config.maxFramePayload()));
        streams.add(stream);
        return stream;
    }

    /** Writes queued frames, round-robin over the streams, while the socket is writable and the windows allow. */
    private void pump() {
        if (terminated != null || peerHello == null) {
            return;
        }
        boolean wrote = false;
        while (ctx.channel().isWritable() && streams.turn(flow.sendWindow(), control.sink())) {
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    /** Ends the connection: GOAWAY with {@code code} (unless the peer ended it), then close. */
    private void terminate(int code, String reason, boolean byPeer) {
        terminate(new StreamClosedException(code, reason, byPeer));
    }

    private void terminate(StreamClosedException reason) {
        if (terminated != null) {
            return;
        }
        logRefusal(reason);
        closeEverything(reason);
        Channel channel = ctx.channel();
        if (!reason.byPeer() && transportReady && channel.isActive()) {
            ctx.writeAndFlush(new GoAway(streams.highestPeerStreamId(), reason.code(), reason.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
            // A peer that does not read would hold the GOAWAY, and so the connection, for ever.
            ctx.executor().schedule(() -> channel.close(), GOAWAY_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    private void terminate(ErrorCode code, String reason, boolean byPeer) {
        terminate(code.code(), reason, byPeer);
    }

    private void closeEverything(StreamClosedException reason) {
        terminated = reason;
        streams.clear().forEach(s -> s.markClosed(reason));
        handshake.completeExceptionally(reason);
    }
}
