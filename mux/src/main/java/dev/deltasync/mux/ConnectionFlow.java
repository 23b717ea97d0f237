package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.ProtocolException;

/**
 * A connection's flow control (PROTOCOL.md §6): the connection send window, and the receive side of the
 * connection and stream windows, whose consumed credit goes back through the {@link ControlWriter}. Event loop only.
 */
final class ConnectionFlow {
    private final CreditReturner receive;
    private final ControlWriter control;
    private FlowWindow send;

    ConnectionFlow(MuxConfig config, ControlWriter control) {
        this.receive = new CreditReturner(config.connectionWindow(), config.maxFramePayload());
        this.control = control;
    }

    /** The peer's HELLO sets the connection send window. */
    void open(long peerConnectionWindow) {
        send = new FlowWindow(peerConnectionWindow);
    }

    FlowWindow sendWindow() {
        return send;
    }

    /** A WINDOW_UPDATE on stream 0. */
    void granted(int increment) throws ProtocolException {
        if (!send.grant(increment)) {
            throw ProtocolException.connectionError(ErrorCode.FLOW_CONTROL_ERROR, "connection window above 2^31-1");
        }
    }

    /** A flow-controlled frame of {@code cost} bytes arrived: it must fit the connection window. */
    void received(int cost) throws ProtocolException {
        if (cost > 0 && !receive.receive(cost)) {
            throw ProtocolException.connectionError(ErrorCode.FLOW_CONTROL_ERROR,
                    "peer sent %d bytes beyond the connection window", cost);
        }
    }

    /** ... and the window of {@code stream}. */
    void received(MuxStream stream, int cost) throws ProtocolException {
        if (cost > 0 && !stream.credit().receive(cost)) {
            throw ProtocolException.connectionError(ErrorCode.FLOW_CONTROL_ERROR,
                    "peer sent %d bytes beyond the window of stream %d", cost, stream.id());
        }
    }

    /** {@code bytes} were consumed or dropped: grant them back on the connection; true when a frame needs a flush. */
    boolean consumed(int bytes) {
        int increment = bytes > 0 ? receive.consume(bytes) : 0;
        return increment > 0 && control.grant(0, increment);
    }

    /** ... on {@code stream} too (still open). */
    boolean consumed(MuxStream stream, int bytes) {
        boolean wrote = consumed(bytes);
        int increment = stream.credit().consume(bytes);
        return (increment > 0 && control.grant(stream.id(), increment)) || wrote;
    }
}
