package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A server's streams from OPEN until their acceptor returns (PROTOCOL.md §5.1-5.3): each runs the
 * {@link StreamAcceptor} on a virtual thread of its own and is released the one way every stream is
 * ({@link MuxStream#release}); it holds its slot against maxStreams until the acceptor returns, even after a
 * RESET; and a connection that has had no stream for the streamless time is ended. Runs on {@code loop}, the
 * connection's event loop, except the acceptors.
 */
final class ServerStreams {
    private final StreamTable streams;
    private final IntFunction<MuxStream> newStream;
    private final Answers answers;
    private final StreamAcceptor acceptor;
    private final MuxConfig config;
    private final Duration streamless;
    private final ScheduledExecutorService loop;
    private final Consumer<String> idle;
    /** Streams whose acceptor has not returned yet. */
    private int serving;
    /** Bumped whenever a stream starts, so a pending streamless check knows it is stale. */
    private int started;
    private ScheduledFuture<?> timer;

    /**
     * @param newStream  adds a stream of the given id to {@code streams}
     * @param streamless how long the connection may have no stream; null for ever
     * @param idle       ends the connection (IDLE_TIMEOUT) with the reason given
     */
    ServerStreams(StreamTable streams, IntFunction<MuxStream> newStream, Answers answers, StreamAcceptor acceptor,
                  MuxConfig config, Duration streamless, ScheduledExecutorService loop, Consumer<String> idle) {
        this.streams = streams;
        this.newStream = newStream;
        this.answers = answers;
        this.acceptor = acceptor;
        this.config = config;
        this.streamless = streamless;
        this.loop = loop;
        this.idle = idle;
    }

    /** A client's OPEN: refused while maxStreams acceptors run, else its stream starts with the OPEN queued. */
    void open(Open open) throws ProtocolException {
        streams.acceptPeerId(open.streamId());
        if (full()) {
            answers.reset(Reset.of(open.streamId(), ErrorCode.REFUSED_STREAM,
                    "too many concurrent streams (limit " + config.maxStreams() + ")"));
            return;
        }
        MuxStream stream = newStream.apply(open.streamId());
        stream.deliver(open, config.maxQueuedFrames());
        serve(stream);
    }

    /** True while maxStreams acceptors run. */
    boolean full() {
        return serving >= config.maxStreams();
    }

    /** The HELLO exchange is done: from now on the connection needs a stream within the streamless time. */
    void helloDone() {
        closeWhenStreamless();
    }

    private void serve(MuxStream stream) {
        serving++;
        started++;
        cancelTimer();
        Thread.ofVirtual().name("deltasync-stream-" + stream.id()).start(() -> run(stream));
    }

    private void run(MuxStream stream) {
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
            stream.release();
            try {
                loop.execute(this::served);
            } catch (RejectedExecutionException e) {
                // The connection is gone; nothing is left to count.
            }
        }
    }

    private void served() {
        if (--serving == 0) {
            closeWhenStreamless();
        }
    }

    private void closeWhenStreamless() {
        if (streamless == null) {
            return;
        }
        int startedSoFar = started;
        cancelTimer();
        timer = loop.schedule(() -> {
            if (serving == 0 && startedSoFar == started) {
                idle.accept("no stream open for " + streamless.toMillis() + " ms");
            }
        }, streamless.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One timer at a time: open/reset loops must not leave a task per stream on the event loop for a minute. */
    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
