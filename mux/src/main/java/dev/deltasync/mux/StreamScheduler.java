package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Reset;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * What streams ask of their connection ({@link StreamOwner}), from engine threads, carried out on the event loop:
 * the round-robin send turn (PROTOCOL.md §6.2), credit granted back as the engine consumes (§6.3) and RESETs of
 * this side's own. Nothing is written once the connection has ended, nor before HELLO.
 */
final class StreamScheduler implements StreamOwner {
    private final StreamTable streams;
    private final ConnectionFlow flow;
    private final ControlWriter.Sink sink;
    private final Executor loop;
    private final BooleanSupplier live;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();

    /** @param live true while frames may flow: both HELLOs are done and the connection has not ended */
    StreamScheduler(StreamTable streams, ConnectionFlow flow, ControlWriter.Sink sink, Executor loop,
                    BooleanSupplier live) {
        this.streams = streams;
        this.flow = flow;
        this.sink = sink;
        this.loop = loop;
        this.live = live;
    }

    @Override
    public void schedulePump() {
        if (pumpScheduled.compareAndSet(false, true)) {
            onLoop(() -> {
                pumpScheduled.set(false);
                pump();
            });
        }
    }

    @Override
    public void returnCredit(MuxStream stream, int bytes) {
        onLoop(() -> { // credit goes back in batches: most frames consumed write nothing to flush
            if (live.getAsBoolean()
                    && (streams.get(stream.id()) == stream ? flow.consumed(stream, bytes) : flow.consumed(bytes))) {
                sink.flush();
            }
        });
    }

    /** NO_ERROR lets the frames queued before it go out, then the RESET; any other code drops them, RESET goes now. */
    @Override
    public void resetStream(MuxStream stream, ErrorCode code, String reason) {
        StreamClosedException closed = new StreamClosedException(code.code(), reason, false);
        if (code == ErrorCode.NO_ERROR) {
            stream.closeAfterQueued(closed, Reset.of(stream.id(), code, reason));
            schedulePump();
            return;
        }
        stream.markClosed(closed);
        onLoop(() -> {
            if (streams.forget(stream.id()) == stream) {
                sink.write(Reset.of(stream.id(), code, reason));
                sink.flush();
            }
        });
    }

    /** Without this, every stream that ends early (reset by either side) would shrink the connection window for good. */
    @Override
    public void releaseCredit(MuxStream stream) {
        onLoop(() -> {
            if (live.getAsBoolean() && flow.consumed(stream.abandon())) {
                sink.flush();
            }
        });
    }

    /** Writes queued frames, round-robin over the streams, while the socket is writable and the windows allow. */
    void pump() {
        if (!live.getAsBoolean()) {
            return;
        }
        boolean wrote = false;
        while (sink.writable() && streams.turn(flow.sendWindow(), sink)) {
            wrote = true;
        }
        if (wrote) {
            sink.flush();
        }
    }

    /** Runs {@code task} on the event loop and waits for its result; once the loop has shut down, the connection is gone. */
    <T> T onLoopAndWait(Callable<T> task) throws StreamClosedException, InterruptedException {
        try {
            FutureTask<T> future = new FutureTask<>(task);
            loop.execute(future);
            return future.get();
        } catch (RejectedExecutionException e) {
            throw new StreamClosedException(ErrorCode.CANCEL.code(), "connection closed", false);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StreamClosedException closed) {
                throw closed;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Runs {@code task} on the event loop; once the loop has shut down, the connection is gone and so is the task. */
    void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The connection's streams were already closed.
        }
    }
}
