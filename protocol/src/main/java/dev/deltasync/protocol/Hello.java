package dev.deltasync.protocol;

import dev.deltasync.hashing.HashAlgorithm;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * HELLO, the first frame each side sends, on stream 0 (PROTOCOL.md §3, §4.1). It states what the sender can
 * receive: its frame size limit, stream limit, initial windows, and the hashes and codecs it supports.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                    Magic = 0x4453594E "DSYN"                  |
 * +-------------------------------+-------------------------------+
 * |       Min Version (u16)       |       Max Version (u16)       |
 * +-------------------------------+-------------------------------+
 * |                    Max Frame Payload (u32)                    |
 * +---------------------------------------------------------------+
 * |                       Max Streams (u31)                       |
 * +---------------------------------------------------------------+
 * |                      Stream Window (u31)                      |
 * +---------------------------------------------------------------+
 * |                    Connection Window (u31)                    |
 * +---------------+-----------------------------------------------+
 * | Hash Count u8 |  Hash Ids (u8 x Hash Count)                 ...
 * +---------------+-----------------------------------------------+
 * |Codec Count u8 |  Codec Ids (u8 x Codec Count)               ...
 * +---------------+-----------------------------------------------+
 * |  Reserved: bytes after the codec ids, ignored in v1         ...
 * +---------------------------------------------------------------+
 * </pre>
 * Bytes after the codec ids are ignored so that a later version can extend HELLO and still be read by this one
 * (§3.2); they are not kept, so such a HELLO does not re-encode byte for byte.
 */
public record Hello(int minVersion, int maxVersion, int maxFramePayload, int maxStreams, int streamWindow,
                    int connectionWindow, byte[] hashIds, byte[] codecIds) implements Frame {

    static final int MAGIC_OFFSET = 0;
    static final int MIN_VERSION_OFFSET = 4;
    static final int MAX_VERSION_OFFSET = 6;
    static final int MAX_FRAME_PAYLOAD_OFFSET = 8;
    static final int MAX_STREAMS_OFFSET = 12;
    static final int STREAM_WINDOW_OFFSET = 16;
    static final int CONNECTION_WINDOW_OFFSET = 20;
    static final int HASH_COUNT_OFFSET = 24;
    static final int HASH_IDS_OFFSET = 25;
    /** Magic through the hash count, plus the codec count: a HELLO with no ids. */
    static final int MIN_LENGTH = HASH_IDS_OFFSET + 1;

    public Hello {
        Wire.range(minVersion, 1, 0xFFFF, "minVersion");
        Wire.range(maxVersion, minVersion, 0xFFFF, "maxVersion");
        Wire.range(maxFramePayload, Constants.MIN_FRAME_PAYLOAD, Constants.MAX_FRAME_PAYLOAD, "maxFramePayload");
        Wire.u31(maxStreams, "maxStreams");
        // One full frame must always be able to flow (§6).
        Wire.range(streamWindow, maxFramePayload, Constants.MAX_WINDOW, "streamWindow");
        Wire.range(connectionWindow, maxFramePayload, Constants.MAX_WINDOW, "connectionWindow");
        Wire.length(hashIds, 0, 0xFF, "hashIds");
        Wire.length(codecIds, 0, 0xFF, "codecIds");
    }

    /** Versions 1..2 with the default limits, every hash of §9.2, zstd, zero chunks, runs and patches. */
    public static Hello defaults() {
        return new Hello(Constants.MIN_VERSION, Constants.MAX_VERSION, Constants.DEFAULT_MAX_FRAME_PAYLOAD,
                Constants.DEFAULT_MAX_STREAMS, Constants.DEFAULT_STREAM_WINDOW, Constants.DEFAULT_CONNECTION_WINDOW,
                everyHashId(), new byte[] {Constants.CODEC_ZSTD, Constants.CODEC_ZERO, Constants.CODEC_RUN,
                        Constants.CODEC_PATCH});
    }

    private static byte[] everyHashId() {
        HashAlgorithm[] all = HashAlgorithm.values();
        byte[] ids = new byte[all.length];
        for (int i = 0; i < all.length; i++) {
            ids[i] = (byte) all[i].wireId();
        }
        return ids;
    }

    @Override
    public int streamId() {
        return 0;
    }

    @Override
    public int type() {
        return FrameType.HELLO;
    }

    /**
     * The version both sides speak: the highest in both ranges (§3.3).
     *
     * @throws ProtocolException UNSUPPORTED_VERSION naming both ranges when they do not overlap
     */
    public int negotiateVersion(Hello peer) throws ProtocolException {
        OptionalInt version = commonVersion(peer);
        if (version.isEmpty()) {
            throw ProtocolException.connectionError(ErrorCode.UNSUPPORTED_VERSION,
                    "no common version: we speak %d..%d, peer speaks %d..%d",
                    minVersion, maxVersion, peer.minVersion, peer.maxVersion);
        }
        return version.getAsInt();
    }

    /** The highest version in both ranges, or empty when they do not overlap (§3.3). */
    public OptionalInt commonVersion(Hello peer) {
        int version = Math.min(maxVersion, peer.maxVersion);
        return version < Math.max(minVersion, peer.minVersion) ? OptionalInt.empty() : OptionalInt.of(version);
    }

    public boolean supportsHash(int hashId) {
        return contains(hashIds, hashId);
    }

    /** Codec 0 (none) is always supported, listed or not. */
    public boolean supportsCodec(int codecId) {
        return codecId == Constants.CODEC_NONE || contains(codecIds, codecId);
    }

    private static boolean contains(byte[] ids, int id) {
        for (byte b : ids) {
            if ((b & 0xFF) == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int payloadLength() {
        return MIN_LENGTH + hashIds.length + codecIds.length;
    }

    @Override
    public void writePayload(ByteBuf out) {
        out.writeInt(Constants.MAGIC)
                .writeShort(minVersion)
                .writeShort(maxVersion)
                .writeInt(maxFramePayload)
                .writeInt(maxStreams)
                .writeInt(streamWindow)
                .writeInt(connectionWindow)
                .writeByte(hashIds.length)
                .writeBytes(hashIds)
                .writeByte(codecIds.length)
                .writeBytes(codecIds);
    }

    static Hello read(Payload p) throws ProtocolException {
        p.requireAtLeast(MIN_LENGTH);
        int magic = p.u32(MAGIC_OFFSET);
        if (magic != Constants.MAGIC) {
            throw p.error(ErrorCode.PROTOCOL_ERROR, "HELLO magic 0x%08x is not 0x%08x", magic, Constants.MAGIC);
        }
        int hashCount = p.u8(HASH_COUNT_OFFSET);
        byte[] hashIds = p.bytes(HASH_IDS_OFFSET, hashCount);
        int codecCountOffset = HASH_IDS_OFFSET + hashCount;
        byte[] codecIds = p.bytes(codecCountOffset + 1, p.u8(codecCountOffset));
        int minVersion = p.u16(MIN_VERSION_OFFSET);
        int maxVersion = p.u16(MAX_VERSION_OFFSET);
        int maxFramePayload = p.u32(MAX_FRAME_PAYLOAD_OFFSET);
        int maxStreams = p.u32(MAX_STREAMS_OFFSET);
        int streamWindow = p.u32(STREAM_WINDOW_OFFSET);
        int connectionWindow = p.u32(CONNECTION_WINDOW_OFFSET);
        return p.build(() -> new Hello(minVersion, maxVersion, maxFramePayload, maxStreams, streamWindow,
                connectionWindow, hashIds, codecIds));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hello h && minVersion == h.minVersion && maxVersion == h.maxVersion
                && maxFramePayload == h.maxFramePayload && maxStreams == h.maxStreams
                && streamWindow == h.streamWindow && connectionWindow == h.connectionWindow
                && Arrays.equals(hashIds, h.hashIds) && Arrays.equals(codecIds, h.codecIds);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(minVersion, maxVersion, maxFramePayload, maxStreams, streamWindow,
                connectionWindow);
        return 31 * (31 * h + Arrays.hashCode(hashIds)) + Arrays.hashCode(codecIds);
    }

    @Override
    public String toString() {
        return "Hello[versions=" + minVersion + ".." + maxVersion + ", maxFramePayload=" + maxFramePayload
                + ", maxStreams=" + maxStreams + ", streamWindow=" + streamWindow
                + ", connectionWindow=" + connectionWindow + ", hashIds=" + Wire.hex(hashIds)
                + ", codecIds=" + Wire.hex(codecIds) + "]";
    }
}
