package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.ProtocolException;
import dev.deltasync.protocol.Reset;
import dev.deltasync.protocol.WindowUpdate;

/**
 * The peer's frames for streams once HELLO is done (PROTOCOL.md §5, §6, §8): each flow-controlled byte is
 * charged to the connection's and the stream's window, a frame goes to its stream's queue, a RESET ends its
 * stream, the credit of a frame no stream will take goes straight back (§6.3), and a malformed stream frame
 * ends only its stream. Connection errors are thrown, for the session to end the connection. Event loop only.
 */
final class StreamFrames {
    private final StreamTable streams;
    private final ConnectionFlow flow;
    private final Answers answers;
    private final int maxQueuedFrames;
    private final ControlWriter.Sink sink;

    StreamFrames(StreamTable streams, ConnectionFlow flow, Answers answers, int maxQueuedFrames, ControlWriter.Sink sink) {
        this.streams = streams;
        this.flow = flow;
        this.answers = answers;
        this.maxQueuedFrames = maxQueuedFrames;
        this.sink = sink;
    }

    /** A WINDOW_UPDATE: more send credit for the connection or one stream. */
    void window(WindowUpdate update) throws ProtocolException {
        if (update.streamId() == 0) {
            flow.granted(update.increment());
            return;
        }
        MuxStream stream = streams.get(update.streamId());
        if (stream == null && streams.neverOpened(update.streamId())) {
            throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                    "WINDOW_UPDATE for stream %d, which was never opened", update.streamId());
        }
        if (stream != null && !stream.granted(update.increment())) {
            // §6.2: a stream window overflow ends only that stream; its RESET is an answer the peer caused, so it
            // is counted and held like the others (§7.1).
            throw ProtocolException.streamError(stream.id(), ErrorCode.FLOW_CONTROL_ERROR,
                    "window of stream %d above 2^31-1", stream.id());
        }
    }

    /** A frame for an open or ended stream (not OPEN, which only a server's {@link ServerStreams} takes). */
    void frame(Frame frame) throws ProtocolException {
        int id = frame.streamId();
        int cost = FlowControl.cost(frame);
        flow.received(cost);
        MuxStream stream = streams.get(id);
        if (stream == null) {
            if (streams.neverOpened(id)) {
                throw ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                        "frame type 0x%02x for stream %d, which was never opened", frame.type(), id);
            }
            grantBack(cost); // a closed stream
            return;
        }
        flow.received(stream, cost);
        if (frame instanceof Reset reset) {
            streams.forget(id);
            stream.markClosed(new StreamClosedException(reset.code(), reset.reason(), true));
            return;
        }
        switch (stream.deliver(frame, maxQueuedFrames)) {
            case QUEUED -> { }
            case DROPPED -> grantBack(cost); // ended by this side, not forgotten yet
            case TOO_MANY_CONTROL_FRAMES -> throw ProtocolException.streamError(id, ErrorCode.FLOW_CONTROL_ERROR,
                    "more than %d control frames queued", maxQueuedFrames);
        }
    }

    /**
     * What {@code e} ends: a connection error, and a stream error before HELLO (HELLO comes first, also when the
     * first frame is a malformed stream frame), end the connection: returned. After HELLO a stream error ends only
     * its stream ({@link #streamError}), unless that breaks a connection rule in turn: returned too. Null when the
     * connection goes on.
     */
    ProtocolException connectionError(ProtocolException e, boolean helloDone) {
        if (e.isConnectionError()) {
            return e;
        }
        if (!helloDone) {
            return ProtocolException.connectionError(ErrorCode.PROTOCOL_ERROR,
                    "expected HELLO as the first frame, got a malformed stream frame: %s", e.getMessage());
        }
        try {
            streamError(e);
            return null;
        } catch (ProtocolException connectionError) { // a window overflow, or a peer owed too many RESETs
            return connectionError;
        }
    }

    /**
     * A stream error (a malformed CHUNK, a stream window overflow...): the stream ends with a RESET to the peer.
     * A malformed CHUNK or DIGESTS still spent connection credit, which goes back.
     */
    private void streamError(ProtocolException e) throws ProtocolException {
        int cost = e.flowControlledBytes();
        flow.received(cost);
        flow.consumed(cost);
        MuxStream stream = streams.forget(e.streamId());
        if (stream != null) {
            stream.markClosed(new StreamClosedException(e.code().code(), e.getMessage(), false));
        }
        answers.reset(Reset.of(e.streamId(), e.code(), e.getMessage()));
    }

    /** A dropped frame still spent connection credit (§6.3): grant it back now. */
    private void grantBack(int cost) {
        if (flow.consumed(cost)) {
            sink.flush();
        }
    }
}
