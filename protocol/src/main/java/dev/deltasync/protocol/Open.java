package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * OPEN: the client starts a stream for one named region (PROTOCOL.md §4.6, §5). The role says who is the
 * source; flag ALLOW_RESIZE lets the replica resize its region to the source's size; a PULL's interval is the
 * least time the client wants between epochs (0: the server's). Whether the hash and chunk size are acceptable
 * is for the server to decide (RESET UNSUPPORTED_PARAMETER), not for the codec. In v2 (flag LINEAGE) the client's
 * lineage position and the root of the replica table it offers follow the name (§9.6, §9.7).
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
 * |  v2, flag LINEAGE: Lineage Id (16 bytes)                    ...
 * +---------------------------------------------------------------+
 * |  Lineage Epoch (u63)                                        ...
 * +---------------+-----------------------------------------------+
 * |Root Length u8 |  Table Root (Root Length bytes: 0, or 4..64) ...
 * +---------------+-----------------------------------------------+
 * </pre>
 *
 * @param lineage   v2: the client's lineage position ({@link LineagePosition#NONE} for none); empty in a v1 OPEN
 * @param tableRoot v2: the root of the replica table the client offers instead of DIGESTS; empty for none
 * @param rehash    v2 (flag REHASH): the server is to hash its side in full, trusting no table (§9.7); then no
 *                  table root is offered
 */
public record Open(int streamId, int role, int hashId, int chunkSize, long regionSize, int intervalMillis,
                   String name, boolean allowResize, Optional<LineagePosition> lineage, byte[] tableRoot,
                   boolean rehash)
        implements Frame {

    static final int ROLE_OFFSET = 0;
    static final int HASH_ID_OFFSET = 1;
    static final int CHUNK_SIZE_OFFSET = 2;
    static final int REGION_SIZE_OFFSET = 6;
    static final int INTERVAL_OFFSET = 14;
    static final int NAME_LENGTH_OFFSET = 18;
    static final int NAME_OFFSET = 19;
    /** Offsets of the v2 fields, relative to the end of the name. */
    static final int LINEAGE_EPOCH_AFTER_NAME = Constants.LINEAGE_ID_LENGTH;
    static final int ROOT_LENGTH_AFTER_NAME = LINEAGE_EPOCH_AFTER_NAME + 8;
    static final int ROOT_AFTER_NAME = ROOT_LENGTH_AFTER_NAME + 1;

    public Open {
        Wire.streamId(streamId);
        Wire.check(role == Constants.ROLE_PUSH || role == Constants.ROLE_PULL, "role %d is neither PUSH nor PULL", role);
        Wire.u8(hashId, "hashId");
        Wire.u31(chunkSize, "chunkSize");
        Wire.check(regionSize >= 0, "regionSize has the reserved high bit set");
        Wire.u31(intervalMillis, "intervalMillis");
        Wire.utf8(name, 1, Constants.MAX_NAME_BYTES, "name");
        Objects.requireNonNull(lineage, "lineage");
        Wire.check(tableRoot != null, "tableRoot is null");
        Wire.check(tableRoot.length == 0 || lineage.isPresent(), "a table root without the lineage fields");
        Wire.check(tableRoot.length == 0 || lineage.filter(LineagePosition::isNone).isEmpty(),
                "a table root without a lineage");
        Wire.check(tableRoot.length == 0 || tableRoot.length >= Constants.MIN_ROOT_LENGTH
                && tableRoot.length <= Constants.MAX_DIGEST_LENGTH, "table root of %d bytes, not 0 or 4..64",
                tableRoot.length);
        Wire.check(!rehash || lineage.isPresent(), "REHASH without the lineage fields");
        Wire.check(!rehash || tableRoot.length == 0, "REHASH with a table root offered");
        tableRoot = tableRoot.clone();
    }

    /** An OPEN that asks for no re-hash. */
    public Open(int streamId, int role, int hashId, int chunkSize, long regionSize, int intervalMillis, String name,
                boolean allowResize, Optional<LineagePosition> lineage, byte[] tableRoot) {
        this(streamId, role, hashId, chunkSize, regionSize, intervalMillis, name, allowResize, lineage, tableRoot,
                false);
    }

    /** A v1 OPEN. */
    public Open(int streamId, int role, int hashId, int chunkSize, long regionSize, int intervalMillis, String name,
                boolean allowResize) {
        this(streamId, role, hashId, chunkSize, regionSize, intervalMillis, name, allowResize, Optional.empty(),
                new byte[0]);
    }

    /** A v1 OPEN that leaves the interval to the server (always so for a PUSH). */
    public Open(int streamId, int role, int hashId, int chunkSize, long regionSize, String name, boolean allowResize) {
        this(streamId, role, hashId, chunkSize, regionSize, 0, name, allowResize);
    }

    @Override
    public byte[] tableRoot() {
        return tableRoot.clone();
    }

    @Override
    public int type() {
        return FrameType.OPEN;
    }

    @Override
    public int flags() {
        return (allowResize ? Constants.FLAG_ALLOW_RESIZE : 0) | (lineage.isPresent() ? Constants.FLAG_LINEAGE : 0)
                | (rehash ? Constants.FLAG_REHASH : 0);
    }

    @Override
    public int payloadLength() {
        return NAME_OFFSET + ByteBufUtil.utf8Bytes(name) + (lineage.isPresent() ? ROOT_AFTER_NAME + tableRoot.length : 0);
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
        lineage.ifPresent(position -> out.writeBytes(position.id()).writeLong(position.epoch())
                .writeByte(tableRoot.length).writeBytes(tableRoot));
    }

    static Open read(Payload p) throws ProtocolException {
        p.requireAtLeast(NAME_OFFSET);
        int nameLength = p.u8(NAME_LENGTH_OFFSET);
        int nameEnd = NAME_OFFSET + nameLength;
        Optional<LineagePosition> lineage = Optional.empty();
        byte[] tableRoot = new byte[0];
        if ((p.flags() & Constants.FLAG_LINEAGE) == 0) {
            p.requireLength(nameEnd);
        } else {
            p.requireAtLeast(nameEnd + ROOT_AFTER_NAME);
            int rootLength = p.u8(nameEnd + ROOT_LENGTH_AFTER_NAME);
            p.requireLength(nameEnd + ROOT_AFTER_NAME + rootLength);
            byte[] id = p.bytes(nameEnd, Constants.LINEAGE_ID_LENGTH);
            long epoch = p.u64(nameEnd + LINEAGE_EPOCH_AFTER_NAME);
            lineage = Optional.of(p.build(() -> new LineagePosition(id, epoch)));
            tableRoot = p.bytes(nameEnd + ROOT_AFTER_NAME, rootLength);
        }
        String name = p.utf8(NAME_OFFSET, nameLength, "name");
        int role = p.u8(ROLE_OFFSET);
        int hashId = p.u8(HASH_ID_OFFSET);
        int chunkSize = p.u32(CHUNK_SIZE_OFFSET);
        long regionSize = p.u64(REGION_SIZE_OFFSET);
        int intervalMillis = p.u32(INTERVAL_OFFSET);
        boolean allowResize = (p.flags() & Constants.FLAG_ALLOW_RESIZE) != 0;
        // REHASH is a v2 flag: a v1 OPEN (no LINEAGE) has it undefined, and undefined flags are ignored (§2)
        boolean rehash = lineage.isPresent() && (p.flags() & Constants.FLAG_REHASH) != 0;
        Optional<LineagePosition> position = lineage;
        byte[] root = tableRoot;
        return p.build(() -> new Open(p.streamId(), role, hashId, chunkSize, regionSize, intervalMillis, name,
                allowResize, position, root, rehash));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Open x && streamId == x.streamId && role == x.role && hashId == x.hashId
                && chunkSize == x.chunkSize && regionSize == x.regionSize && intervalMillis == x.intervalMillis
                && name.equals(x.name) && allowResize == x.allowResize && lineage.equals(x.lineage)
                && Arrays.equals(tableRoot, x.tableRoot) && rehash == x.rehash;
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, role, hashId, chunkSize, regionSize, intervalMillis, name, allowResize,
                lineage, rehash) + Arrays.hashCode(tableRoot);
    }

    @Override
    public String toString() {
        return "Open[streamId=" + streamId + ", role=" + role + ", hashId=" + hashId + ", chunkSize=" + chunkSize
                + ", regionSize=" + regionSize + ", intervalMillis=" + intervalMillis + ", name=" + name
                + ", allowResize=" + allowResize + ", lineage=" + lineage.map(LineagePosition::toString).orElse("v1")
                + ", tableRoot=" + Wire.hex(tableRoot) + ", rehash=" + rehash + "]";
    }
}
