package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;

/**
 * EPOCH_END: the source closes an epoch, stating how many CHUNK frames it sent in it and the root of the table
 * it expects the replica to hold now (PROTOCOL.md §4.10, §9.4).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                          Epoch (u63)                          |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                       Chunk Count (u31)                       |
 * +---------------------------------------------------------------+
 * |  Root (rest of payload, 4..64 bytes)                        ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public record EpochEnd(int streamId, long epoch, int chunkCount, byte[] root) implements Frame {

    static final int EPOCH_OFFSET = 0;
    static final int CHUNK_COUNT_OFFSET = 8;
    static final int ROOT_OFFSET = 12;

    public EpochEnd {
        Wire.streamId(streamId);
        Wire.check(epoch > 0, "epoch %d not in 1..2^63-1", epoch);
        Wire.u31(chunkCount, "chunkCount");
        Wire.length(root, Constants.MIN_ROOT_LENGTH, Constants.MAX_DIGEST_LENGTH, "root");
    }

    @Override
    public int type() {
        return FrameType.EPOCH_END;
    }

    @Override
    public int payloadLength() {
        return ROOT_OFFSET + root.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(epoch).writeInt(chunkCount).writeBytes(root);
    }

    static EpochEnd read(Payload p) throws ProtocolException {
        p.requireAtLeast(ROOT_OFFSET);
        long epoch = p.u64(EPOCH_OFFSET);
        int chunkCount = p.u32(CHUNK_COUNT_OFFSET);
        byte[] root = p.rest(ROOT_OFFSET);
        return p.build(() -> new EpochEnd(p.streamId(), epoch, chunkCount, root));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpochEnd e && streamId == e.streamId && epoch == e.epoch && chunkCount == e.chunkCount
                && Arrays.equals(root, e.root);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, epoch, chunkCount) + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "EpochEnd[streamId=" + streamId + ", epoch=" + epoch + ", chunkCount=" + chunkCount
                + ", root=" + Wire.hex(root) + "]";
    }
}
