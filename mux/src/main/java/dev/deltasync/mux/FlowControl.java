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

    /** The credit a frame costs: its payload if flow-controlled, else nothing. */
    static int cost(Frame frame) {
        return isFlowControlled(frame) ? FrameCodec.payloadLength(frame) : 0;
    }
}
