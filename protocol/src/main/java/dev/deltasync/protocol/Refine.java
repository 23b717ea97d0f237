package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;

/**
 * REFINE: the source asks the replica for the page digests of changed chunks before it sends them, so that it can
 * send only the pages that differ (PROTOCOL.md §4.14, §9.9). The seed is the page digests' (seeded XXH3-128): the
 * source draws it at random for each REFINE, so that a peer cannot craft pages whose digests collide.
 * Not flow-controlled; its answers (PAGE_DIGESTS) are.
 * The array is the frame's own: neither copied in nor out, so do not change it.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                          Epoch (u63)                          |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                          Seed (u64)                           |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |  Indices (rest: n x u31, n in 1..1024, strictly increasing) ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public record Refine(int streamId, long epoch, long seed, int[] indices) implements Frame {

    static final int EPOCH_OFFSET = 0;
    static final int SEED_OFFSET = 8;
    static final int INDICES_OFFSET = Constants.REFINE_HEADER_LENGTH;

    public Refine {
        Wire.streamId(streamId);
        Wire.check(epoch > 0, "epoch %d not in 1..2^63-1", epoch);
        Wire.check(indices != null, "indices is null");
        Wire.range(indices.length, 1, Constants.MAX_REFINE_INDICES, "index count");
        for (int i = 0; i < indices.length; i++) {
            Wire.u31(indices[i], "index");
            Wire.check(i == 0 || indices[i] > indices[i - 1], "index %d after %d: not increasing",
                    indices[i], i == 0 ? 0 : indices[i - 1]);
        }
    }

    @Override
    public int type() {
        return FrameType.REFINE;
    }

    @Override
    public int payloadLength() {
        return INDICES_OFFSET + 4 * indices.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(epoch).writeLong(seed);
        for (int index : indices) {
            out.writeInt(index);
        }
    }

    static Refine read(Payload p) throws ProtocolException {
        p.requireAtLeast(INDICES_OFFSET);
        if ((p.length() - INDICES_OFFSET) % 4 != 0) {
            throw p.error(ErrorCode.FRAME_SIZE_ERROR, "REFINE indices are %d bytes, not a multiple of 4",
                    p.length() - INDICES_OFFSET);
        }
        long epoch = p.u64(EPOCH_OFFSET);
        long seed = p.u64(SEED_OFFSET);
        int[] indices = new int[Math.min((p.length() - INDICES_OFFSET) / 4, Constants.MAX_REFINE_INDICES + 1)];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = p.u32(INDICES_OFFSET + 4 * i);
        }
        return p.build(() -> new Refine(p.streamId(), epoch, seed, indices));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Refine r && streamId == r.streamId && epoch == r.epoch && seed == r.seed
                && Arrays.equals(indices, r.indices);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, epoch, seed) + Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return "Refine[streamId=" + streamId + ", epoch=" + epoch + ", seed=" + seed + ", indices=" + indices.length + "]";
    }
}
