package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;

/**
 * DIGESTS: a run of the replica's digest table, from chunk {@code firstIndex} on (PROTOCOL.md §4.8, §9.3).
 * Flow-controlled. The array is the frame's own: it is neither copied in nor out, so do not change it.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                       First Index (u31)                       |
 * +---------------+-----------------------------------------------+
 * |Digest Len u8  |  Digests (rest: n x Digest Len bytes, n >= 1) ...
 * +---------------+-----------------------------------------------+
 * </pre>
 */
public record Digests(int streamId, int firstIndex, int digestLength, byte[] digests) implements Frame {

    static final int FIRST_INDEX_OFFSET = 0;
    static final int DIGEST_LENGTH_OFFSET = 4;
    static final int DIGESTS_OFFSET = Constants.DIGESTS_HEADER_LENGTH;

    public Digests {
        Wire.streamId(streamId);
        Wire.u31(firstIndex, "firstIndex");
        Wire.digests(digests, digestLength);
    }

    @Override
    public int type() {
        return FrameType.DIGESTS;
    }

    /** The number of digests in this frame. */
    public int count() {
        return digests.length / digestLength;
    }

    @Override
    public int payloadLength() {
        return DIGESTS_OFFSET + digests.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt(firstIndex).writeByte(digestLength).writeBytes(digests);
    }

    static Digests read(Payload p) throws ProtocolException {
        p.requireAtLeast(DIGESTS_OFFSET);
        int firstIndex = p.u32(FIRST_INDEX_OFFSET);
        int digestLength = p.u8(DIGEST_LENGTH_OFFSET);
        byte[] digests = p.rest(DIGESTS_OFFSET);
        return p.build(() -> new Digests(p.streamId(), firstIndex, digestLength, digests));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digests d && streamId == d.streamId && firstIndex == d.firstIndex
                && digestLength == d.digestLength && Arrays.equals(digests, d.digests);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, firstIndex, digestLength) + Arrays.hashCode(digests);
    }

    @Override
    public String toString() {
        return "Digests[streamId=" + streamId + ", firstIndex=" + firstIndex + ", digestLength=" + digestLength
                + ", count=" + digests.length / Math.max(1, digestLength) + "]";
    }
}
