package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * OPEN: the client starts a stream for one named region (PROTOCOL.md §4.6, §5). The role says who is the
 * source; flag ALLOW_RESIZE lets the replica resize its region to the source's size; a PULL's interval is the
 * least time the client wants between epochs (0: the server's). Whether the hash and chunk size are acceptable
 * is for the server to decide (RESET UNSUPPORTED_PARAMETER), not for the codec.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * |   Role (u8)   |  Hash Id (u8) |       Chunk Size (u31) ...    |
 * +---------------+---------------+-------------------------------+
 * |  ... Chunk Size               |       Region Size (u63) ...   |
 * +-------------------------------+                               |
 * |                                                               |
 * +-------------------------------+-------------------------------+
 * |  ... Region Size              |    Interval Millis (u31) ...  |
 * +-------------------------------+---------------+---------------+
 * |  ... Interval Millis          |Name Length u8 |  Name (UTF-8) ...
 * +-------------------------------+---------------+---------------+
 * </pre>
 */
public record Open(int streamId, int role, int hashId, int chunkSize, long regionSize, int intervalMillis,
                   String name, boolean allowResize) implements Frame {

    static final int ROLE_OFFSET = 0;
    static final int HASH_ID_OFFSET = 1;
    static final int CHUNK_SIZE_OFFSET = 2;
    static final int REGION_SIZE_OFFSET = 6;
    static final int INTERVAL_OFFSET = 14;
    static final int NAME_LENGTH_OFFSET = 18;
    static final int NAME_OFFSET = 19;

    public Open {
        Wire.streamId(streamId);
        Wire.check(role == Constants.ROLE_PUSH || role == Constants.ROLE_PULL, "role %d is neither PUSH nor PULL", role);
        Wire.u8(hashId, "hashId");
        Wire.u31(chunkSize, "chunkSize");
        Wire.check(regionSize >= 0, "regionSize has the reserved high bit set");
        Wire.u31(intervalMillis, "intervalMillis");
        Wire.utf8(name, 1, Constants.MAX_NAME_BYTES, "name");
    }

    /** An OPEN that leaves the interval to the server (always so for a PUSH). */
    public Open(int streamId, int role, int hashId, int chunkSize, long regionSize, String name, boolean allowResize) {
        this(streamId, role, hashId, chunkSize, regionSize, 0, name, allowResize);
    }

    @Override
    public int type() {
        return FrameType.OPEN;
    }

    @Override
    public int flags() {
        return allowResize ? Constants.FLAG_ALLOW_RESIZE : 0;
    }

    @Override
    public int payloadLength() {
        return NAME_OFFSET + ByteBufUtil.utf8Bytes(name);
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeByte(role)
                .writeByte(hashId)
                .writeInt(chunkSize)
                .writeLong(regionSize)
                .writeInt(intervalMillis);
        int nameBytes = ByteBufUtil.utf8Bytes(name);
        out.writeByte(nameBytes);
        ByteBufUtil.reserveAndWriteUtf8(out, name, nameBytes);
    }

    static Open read(Payload p) throws ProtocolException {
        p.requireAtLeast(NAME_OFFSET);
        int nameLength = p.u8(NAME_LENGTH_OFFSET);
        p.requireLength(NAME_OFFSET + nameLength);
        String name = p.utf8(NAME_OFFSET, nameLength, "name");
        int role = p.u8(ROLE_OFFSET);
        int hashId = p.u8(HASH_ID_OFFSET);
        int chunkSize = p.u32(CHUNK_SIZE_OFFSET);
        long regionSize = p.u64(REGION_SIZE_OFFSET);
        int intervalMillis = p.u32(INTERVAL_OFFSET);
        boolean allowResize = (p.flags() & Constants.FLAG_ALLOW_RESIZE) != 0;
        return p.build(() -> new Open(p.streamId(), role, hashId, chunkSize, regionSize, intervalMillis, name,
                allowResize));
    }
}
