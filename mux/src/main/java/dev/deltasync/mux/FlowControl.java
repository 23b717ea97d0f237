package dev.deltasync.mux;

import dev.deltasync.protocol.FrameType;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.FrameCodec;

/** Which frames spend flow-control credit and how much (PROTOCOL.md, flow control): CHUNK and DIGESTS, by payload. */
final class FlowControl {
    private FlowControl() {}

    static boolean isFlowControlled(Frame frame) {
        return FrameType.isFlowControlled(frame.type());
    }

    static int payloadLength(Frame frame) {
        return FrameCodec.payloadLength(frame);
    }

    /** The credit a frame costs: its payload if flow-controlled, else nothing. */
    static int cost(Frame frame) {
        return isFlowControlled(frame) ? payloadLength(frame) : 0;
    }
}
