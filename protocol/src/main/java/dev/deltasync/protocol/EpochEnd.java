package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * EPOCH_END: the source closes an epoch, stating how many CHUNK frames it sent in it and the root of the table
 * it expects the replica to hold now (PROTOCOL.md §4.10, §9.4). In v2 (flag SOURCE_TIME) the source time of the
 * epoch precedes the root: when the scan it was built on began, in microseconds since the Unix epoch (§9.6).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                          Epoch (u63)                          |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                       Chunk Count (u31)                       |
 * +---------------------------------------------------------------+
 * |  v2, flag SOURCE_TIME: Source Time Micros (u63)               |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |  Root (rest of payload, 4..64 bytes)                        ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public record EpochEnd(int streamId, long epoch, int chunkCount, OptionalLong sourceTimeMicros, byte[] root)
        implements Frame {

    static final int EPOCH_OFFSET = 0;
    static final int CHUNK_COUNT_OFFSET = 8;
    static final int ROOT_OFFSET = 12;
    static final int SOURCE_TIME_OFFSET = 12;
    static final int ROOT_AFTER_SOURCE_TIME_OFFSET = 20;

    public EpochEnd {
        Wire.streamId(streamId);
        Wire.check(epoch > 0, "epoch %d not in 1..2^63-1", epoch);
        Wire.u31(chunkCount, "chunkCount");
        Objects.requireNonNull(sourceTimeMicros, "sourceTimeMicros");
        Wire.check(sourceTimeMicros.orElse(0) >= 0, "source time has the reserved high bit set");
        Wire.length(root, Constants.MIN_ROOT_LENGTH, Constants.MAX_DIGEST_LENGTH, "root");
    }

    /** A v1 EPOCH_END, without a source time. */
    public EpochEnd(int streamId, long epoch, int chunkCount, byte[] root) {
        this(streamId, epoch, chunkCount, OptionalLong.empty(), root);
    }

    @Override
    public int flags() {
        return sourceTimeMicros.isPresent() ? Constants.FLAG_SOURCE_TIME : 0;
    }

    private int rootOffset() {
        return sourceTimeMicros.isPresent() ? ROOT_AFTER_SOURCE_TIME_OFFSET : ROOT_OFFSET;
    }

    @Override
    public int type() {
        return FrameType.EPOCH_END;
    }

    @Override
    public int payloadLength() {
        return rootOffset() + root.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(epoch).writeInt(chunkCount);
        sourceTimeMicros.ifPresent(out::writeLong);
        out.writeBytes(root);
    }

    static EpochEnd read(Payload p) throws ProtocolException {
        boolean timed = (p.flags() & Constants.FLAG_SOURCE_TIME) != 0;
        int rootOffset = timed ? ROOT_AFTER_SOURCE_TIME_OFFSET : ROOT_OFFSET;
        p.requireAtLeast(rootOffset);
        long epoch = p.u64(EPOCH_OFFSET);
        int chunkCount = p.u32(CHUNK_COUNT_OFFSET);
        OptionalLong sourceTime = timed ? OptionalLong.of(p.u64(SOURCE_TIME_OFFSET)) : OptionalLong.empty();
        byte[] root = p.rest(rootOffset);
        return p.build(() -> new EpochEnd(p.streamId(), epoch, chunkCount, sourceTime, root));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpochEnd e && streamId == e.streamId && epoch == e.epoch && chunkCount == e.chunkCount
                && sourceTimeMicros.equals(e.sourceTimeMicros) && Arrays.equals(root, e.root);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, epoch, chunkCount, sourceTimeMicros) + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "EpochEnd[streamId=" + streamId + ", epoch=" + epoch + ", chunkCount=" + chunkCount
                + ", sourceTimeMicros=" + sourceTimeMicros + ", root=" + Wire.hex(root) + "]";
    }
}
