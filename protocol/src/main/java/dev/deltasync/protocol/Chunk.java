package dev.deltasync.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;

/**
 * CHUNK: the content of one changed chunk in an epoch (PROTOCOL.md §4.9, §9.4). Flow-controlled. With codec 0
 * the data is the chunk itself; with codec 1 it is one zstd frame that must decompress to exactly
 * {@code rawLength} bytes, which the replica checks while decompressing (the codec does not decompress); with
 * codec 2 there is no data: the chunk is {@code rawLength} zero bytes; with codec 3 (a run) the data is
 * {@code rawLength} bytes of consecutive whole chunks from {@code index} on, which the replica checks.
 * The data array is the frame's own: neither copied in nor out, so do not change it.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                          Epoch (u63)                          |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                          Index (u31)                          |
 * +---------------+-----------------------------------------------+
 * |  Codec (u8)   |        Raw Length (u32, 1..2^24) ...          |
 * +---------------+-----------------------------------------------+
 * | ... Raw Length|  Data (rest of payload)                     ...
 * +---------------+-----------------------------------------------+
 * </pre>
 */
public record Chunk(int streamId, long epoch, int index, int codec, int rawLength, byte[] data) implements Frame {

    static final int EPOCH_OFFSET = 0;
    static final int INDEX_OFFSET = 8;
    static final int CODEC_OFFSET = 12;
    static final int RAW_LENGTH_OFFSET = 13;
    static final int DATA_OFFSET = Constants.CHUNK_HEADER_LENGTH;

    public Chunk {
        Wire.streamId(streamId);
        Wire.check(epoch > 0, "epoch %d not in 1..2^63-1", epoch);
        Wire.u31(index, "index");
        Wire.u8(codec, "codec");
        Wire.range(Integer.toUnsignedLong(rawLength), 1, Constants.MAX_RAW_LENGTH, "rawLength");
        Wire.check(data != null, "data is null");
        if (codec == Constants.CODEC_NONE || codec == Constants.CODEC_RUN) {
            Wire.check(data.length == rawLength, "raw data is %d bytes, rawLength says %d", data.length, rawLength);
        } else if (codec == Constants.CODEC_ZERO) {
            Wire.check(data.length == 0, "a zero chunk carries no data, this one %d bytes", data.length);
        } else if (codec == Constants.CODEC_PATCH) {
            ChunkPatch.check(rawLength, data);
        } else {
            Wire.check(data.length > 0, "compressed data is empty");
        }
    }

    /** A chunk of {@code rawLength} zero bytes: codec 2, no data. */
    public static Chunk zeros(int streamId, long epoch, int index, int rawLength) {
        return new Chunk(streamId, epoch, index, Constants.CODEC_ZERO, rawLength, new byte[0]);
    }

    /** A run of consecutive whole chunks from {@code firstIndex} on, uncompressed (codec 3). */
    public static Chunk run(int streamId, long epoch, int firstIndex, byte[] data) {
        return new Chunk(streamId, epoch, firstIndex, Constants.CODEC_RUN, data.length, data);
    }

    /** An uncompressed chunk. */
    public static Chunk raw(int streamId, long epoch, int index, byte[] data) {
        return new Chunk(streamId, epoch, index, Constants.CODEC_NONE, data.length, data);
    }

    @Override
    public int type() {
        return FrameType.CHUNK;
    }

    @Override
    public int payloadLength() {
        return DATA_OFFSET + data.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeLong(epoch).writeInt(index).writeByte(codec).writeInt(rawLength).writeBytes(data);
    }

    static Chunk read(Payload p) throws ProtocolException {
        p.requireAtLeast(DATA_OFFSET);
        long epoch = p.u64(EPOCH_OFFSET);
        int index = p.u32(INDEX_OFFSET);
        int codec = p.u8(CODEC_OFFSET);
        int rawLength = p.u32(RAW_LENGTH_OFFSET);
        byte[] data = p.rest(DATA_OFFSET);
        return p.build(() -> new Chunk(p.streamId(), epoch, index, codec, rawLength, data));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunk c && streamId == c.streamId && epoch == c.epoch && index == c.index
                && codec == c.codec && rawLength == c.rawLength && Arrays.equals(data, c.data);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(streamId, epoch, index, codec, rawLength) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Chunk[streamId=" + streamId + ", epoch=" + epoch + ", index=" + index + ", codec=" + codec
                + ", rawLength=" + rawLength + ", data=" + data.length + " bytes]";
    }
}
