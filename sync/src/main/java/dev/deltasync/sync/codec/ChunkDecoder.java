package dev.deltasync.sync.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.ProtocolException;
import java.util.Arrays;

/**
 * Recovers a chunk's bytes from a CHUNK frame into a buffer the caller owns. The output is bounded by
 * the declared length before zstd writes a byte, so a "zstd bomb" fails with COMPRESSION_ERROR instead
 * of growing memory; a frame that decompresses to any other length than declared fails the same way.
 */
public final class ChunkDecoder implements AutoCloseable {
    private final ZstdDecompressCtx context = new ZstdDecompressCtx();

    /**
     * The chunk's bytes, in {@code [0, chunk.rawLength())} of the returned array: the frame's own data
     * when it travelled raw (no copy), else {@code scratch} holding the decompressed bytes (or zeros, for a zero
     * chunk; a replica that can leave its region's zeros as they are checks {@link #isZeros} first).
     *
     * @throws ProtocolException a stream error: unknown codec, or not exactly rawLength bytes
     */
    public byte[] decode(Chunk chunk, byte[] scratch) throws ProtocolException {
        int expected = chunk.rawLength();
        switch (chunk.codec()) {
            case Constants.CODEC_NONE, Constants.CODEC_RUN -> {
                return chunk.data();
            }
            case Constants.CODEC_ZERO -> {
                Arrays.fill(scratch, 0, expected, (byte) 0);
                return scratch;
            }
            case Constants.CODEC_ZSTD -> {
                int size;
                try {
                    size = context.decompressByteArray(scratch, 0, expected, chunk.data(), 0, chunk.data().length);
                } catch (ZstdException e) {
                    throw ProtocolException.streamError(chunk.streamId(), ErrorCode.COMPRESSION_ERROR,
                            "chunk %d does not decompress to its %d bytes: %s", chunk.index(), expected, e.getMessage());
                }
                if (size != expected) {
                    throw ProtocolException.streamError(chunk.streamId(), ErrorCode.COMPRESSION_ERROR,
                            "chunk %d decompressed to %d bytes, %d declared", chunk.index(), size, expected);
                }
                return scratch;
            }
            default -> throw ProtocolException.streamError(chunk.streamId(), ErrorCode.UNSUPPORTED_PARAMETER,
                    "chunk %d uses unknown codec %d", chunk.index(), chunk.codec());
        }
    }

    /** True for a zero chunk (codec 2): {@code rawLength} zero bytes, no data. */
    public static boolean isZeros(Chunk chunk) {
        return chunk.codec() == Constants.CODEC_ZERO;
    }

    @Override
    public void close() {
        context.close();
    }
}
