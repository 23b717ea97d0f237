package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Objects;
import java.util.Optional;

/**
 * OPEN_OK: the server accepts a stream and states the parameters in force (PROTOCOL.md §4.7, §5).
 * chunkSize and hashId echo the OPEN; regionSize is the server's region size after any resize. In v2 (flag
 * LINEAGE) the lineage in force follows: the stream's epochs continue from its epoch (§9.6); flag TABLE_KNOWN says
 * the source already holds the replica's table, so no DIGESTS follow (§9.7).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                       Region Size (u63)                       |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                       Chunk Size (u31)                        |
 * +---------------+-----------------------------------------------+
 * |  Hash Id (u8) |  v2, flag LINEAGE: Lineage Id (16 bytes)    ...
 * +---------------+-----------------------------------------------+
 * |  ... Lineage Id               |  Lineage Epoch (u63)        ...
 * +-------------------------------+-------------------------------+
 * </pre>
 *
 * @param lineage    v2: the lineage in force, never {@link LineagePosition#NONE}; empty in a v1 OPEN_OK
 * @param tableKnown v2: the replica sends no DIGESTS, the table whose root the OPEN named is the acknowledged one
 * @param rehash     v2 (flag REHASH): the server does as the OPEN's REHASH asked, hashing its side in full (§9.7)
 */
public record OpenOk(int streamId, long regionSize, int chunkSize, int hashId, Optional<LineagePosition> lineage,
                     boolean tableKnown, boolean rehash) implements Frame {

    static final int REGION_SIZE_OFFSET = 0;
    static final int CHUNK_SIZE_OFFSET = 8;
    static final int HASH_ID_OFFSET = 12;
    static final int LENGTH = 13;
    static final int LINEAGE_ID_OFFSET = 13;
    static final int LINEAGE_EPOCH_OFFSET = LINEAGE_ID_OFFSET + Constants.LINEAGE_ID_LENGTH;
    static final int LINEAGE_LENGTH = LINEAGE_EPOCH_OFFSET + 8;

    public OpenOk {
        Wire.streamId(streamId);
        Wire.check(regionSize >= 0, "regionSize has the reserved high bit set");
        Wire.u31(chunkSize, "chunkSize");
        Wire.u8(hashId, "hashId");
        Objects.requireNonNull(lineage, "lineage");
        Wire.check(lineage.filter(LineagePosition::isNone).isEmpty(), "the all-zero lineage id in OPEN_OK");
        Wire.check(!tableKnown || lineage.isPresent(), "TABLE_KNOWN without the lineage fields");
        Wire.check(!rehash || lineage.isPresent(), "REHASH without the lineage fields");
        Wire.check(!rehash || !tableKnown, "REHASH together with TABLE_KNOWN");
    }

    /** An OPEN_OK to an OPEN that asked for no re-hash. */
    public OpenOk(int streamId, long regionSize, int chunkSize, int hashId, Optional<LineagePosition> lineage,
                  boolean tableKnown) {
        this(streamId, regionSize, chunkSize, hashId, lineage, tableKnown, false);
    }

    /** A v1 OPEN_OK. */
    public OpenOk(int streamId, long regionSize, int chunkSize, int hashId) {
        this(streamId, regionSize, chunkSize, hashId, Optional.empty(), false, false);
    }

    @Override
    public int type() {
        return FrameType.OPEN_OK;
    }

    @Override
    public int flags() {
        return (lineage.isPresent() ? Constants.FLAG_LINEAGE : 0) | (tableKnown ? Constants.FLAG_TABLE_KNOWN : 0)
                | (rehash ? Constants.FLAG_REHASH : 0);
    }

    @Override
    public int payloadLength() {
        return lineage.isPresent() ? LINEAGE_LENGTH : LENGTH;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(regionSize).writeInt(chunkSize).writeByte(hashId);
        lineage.ifPresent(position -> out.writeBytes(position.id()).writeLong(position.epoch()));
    }

    static OpenOk read(Payload p) throws ProtocolException {
        boolean v2 = (p.flags() & Constants.FLAG_LINEAGE) != 0;
        p.requireLength(v2 ? LINEAGE_LENGTH : LENGTH);
        long regionSize = p.u64(REGION_SIZE_OFFSET);
        int chunkSize = p.u32(CHUNK_SIZE_OFFSET);
        int hashId = p.u8(HASH_ID_OFFSET);
        Optional<LineagePosition> lineage = Optional.empty();
        if (v2) {
            byte[] id = p.bytes(LINEAGE_ID_OFFSET, Constants.LINEAGE_ID_LENGTH);
            long epoch = p.u64(LINEAGE_EPOCH_OFFSET);
            lineage = Optional.of(p.build(() -> new LineagePosition(id, epoch)));
        }
        boolean tableKnown = (p.flags() & Constants.FLAG_TABLE_KNOWN) != 0;
        boolean rehash = v2 && (p.flags() & Constants.FLAG_REHASH) != 0; // undefined in v1: ignored (§2)
        Optional<LineagePosition> position = lineage;
        return p.build(() -> new OpenOk(p.streamId(), regionSize, chunkSize, hashId, position, tableKnown, rehash));
    }
}
