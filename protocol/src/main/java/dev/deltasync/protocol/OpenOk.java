package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

/**
 * OPEN_OK: the server accepts a stream and states the parameters in force (PROTOCOL.md §4.7, §5).
 * chunkSize and hashId echo the OPEN; regionSize is the server's region size after any resize.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                       Region Size (u63)                       |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                       Chunk Size (u31)                        |
 * +---------------+-----------------------------------------------+
 * |  Hash Id (u8) |
 * +---------------+
 * </pre>
 */
public record OpenOk(int streamId, long regionSize, int chunkSize, int hashId) implements Frame {

    static final int REGION_SIZE_OFFSET = 0;
    static final int CHUNK_SIZE_OFFSET = 8;
    static final int HASH_ID_OFFSET = 12;
    static final int LENGTH = 13;

    public OpenOk {
        Wire.streamId(streamId);
        Wire.check(regionSize >= 0, "regionSize has the reserved high bit set");
        Wire.u31(chunkSize, "chunkSize");
        Wire.u8(hashId, "hashId");
    }

    @Override
    public int type() {
        return FrameType.OPEN_OK;
    }

    @Override
    public int payloadLength() {
        return LENGTH;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(regionSize).writeInt(chunkSize).writeByte(hashId);
    }

    static OpenOk read(Payload p) throws ProtocolException {
        p.requireLength(LENGTH);
        long regionSize = p.u64(REGION_SIZE_OFFSET);
        int chunkSize = p.u32(CHUNK_SIZE_OFFSET);
        int hashId = p.u8(HASH_ID_OFFSET);
        return p.build(() -> new OpenOk(p.streamId(), regionSize, chunkSize, hashId));
    }
}
