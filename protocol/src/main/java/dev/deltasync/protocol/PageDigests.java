package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;

/**
 * PAGE_DIGESTS: the replica's answer to one index of a REFINE, the digests of that chunk's pages as it holds them
 * (PROTOCOL.md §4.15, §9.9). Flow-controlled. The array is the frame's own: neither copied in nor out, so do not
 * change it.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                          Epoch (u63)                          |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                          Index (u31)                          |
 * +---------------+-----------------------------------------------+
 * |Digest Len u8  |  Digests (rest: n x Digest Len bytes, n >= 1) ...
 * +---------------+-----------------------------------------------+
 * </pre>
 */
public record PageDigests(int streamId, long epoch, int index, int digestLength, byte[] digests) implements Frame {

    static final int EPOCH_OFFSET = 0;
    static final int INDEX_OFFSET = 8;
    static final int DIGEST_LENGTH_OFFSET = 12;
    static final int DIGESTS_OFFSET = Constants.PAGE_DIGESTS_HEADER_LENGTH;

    public PageDigests {
        Wire.streamId(streamId);
        Wire.check(epoch > 0, "epoch %d not in 1..2^63-1", epoch);
        Wire.u31(index, "index");
        Wire.digests(digests, digestLength);
    }

    @Override
    public int type() {
        return FrameType.PAGE_DIGESTS;
    }

    /** The number of page digests in this frame. */
    public int count() {
        return digests.length / digestLength;
    }

    @Override
    public int payloadLength() {
        return DIGESTS_OFFSET + digests.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(epoch).writeInt(index).writeByte(digestLength).writeBytes(digests);
    }

    static PageDigests read(Payload p) throws ProtocolException {
        p.requireAtLeast(DIGESTS_OFFSET);
        long epoch = p.u64(EPOCH_OFFSET);
        int index = p.u32(INDEX_OFFSET);
        int digestLength = p.u8(DIGEST_LENGTH_OFFSET);
        byte[] digests = p.rest(DIGESTS_OFFSET);
        return p.build(() -> new PageDigests(p.streamId(), epoch, index, digestLength, digests));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageDigests d && streamId == d.streamId && epoch == d.epoch && index == d.index
                && digestLength == d.digestLength && Arrays.equals(digests, d.digests);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, epoch, index, digestLength) + Arrays.hashCode(digests);
    }

    @Override
    public String toString() {
        return "PageDigests[streamId=" + streamId + ", epoch=" + epoch + ", index=" + index + ", digestLength="
                + digestLength + ", count=" + digests.length / Math.max(1, digestLength) + "]";
    }
}
