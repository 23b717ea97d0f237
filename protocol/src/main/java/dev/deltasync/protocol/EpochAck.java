package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;

/**
 * EPOCH_ACK: the replica answers an EPOCH_END with the root of the table it actually holds; equal roots mean it
 * is verified identical at that epoch (PROTOCOL.md §4.11, §9.4).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                          Epoch (u63)                          |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |  Root (rest of payload, 4..64 bytes)                        ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public record EpochAck(int streamId, long epoch, byte[] root) implements Frame {

    static final int EPOCH_OFFSET = 0;
    static final int ROOT_OFFSET = 8;

    public EpochAck {
        Wire.streamId(streamId);
        Wire.check(epoch > 0, "epoch %d not in 1..2^63-1", epoch);
        Wire.length(root, Constants.MIN_ROOT_LENGTH, Constants.MAX_DIGEST_LENGTH, "root");
    }

    @Override
    public int type() {
        return FrameType.EPOCH_ACK;
    }

    @Override
    public int payloadLength() {
        return ROOT_OFFSET + root.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(epoch).writeBytes(root);
    }

    static EpochAck read(Payload p) throws ProtocolException {
        p.requireAtLeast(ROOT_OFFSET);
        long epoch = p.u64(EPOCH_OFFSET);
        byte[] root = p.rest(ROOT_OFFSET);
        return p.build(() -> new EpochAck(p.streamId(), epoch, root));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpochAck a && streamId == a.streamId && epoch == a.epoch && Arrays.equals(root, a.root);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, epoch) + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "EpochAck[streamId=" + streamId + ", epoch=" + epoch + ", root=" + Wire.hex(root) + "]";
    }
}
