package dev.deltasync.sync.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.Zstd;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import java.util.Arrays;

/**
 * Turns a chunk's bytes into a CHUNK frame, zstd-compressed when that saves at least 1/32 of the
 * bytes (about 3 %), raw otherwise: below that the replica's decompression costs more than the
 * wire saves. One encoder per sending thread; it reuses its zstd context and output buffer.
 */
public final class ChunkEncoder implements AutoCloseable {
    private final Compression compression;
    private final ZstdCompressCtx context;
    private byte[] output = new byte[0];

    public ChunkEncoder(Compression compression) {
        this.compression = compression;
        this.context = compression.enabled() ? new ZstdCompressCtx().setLevel(compression.level()) : null;
    }

    /** The CHUNK frame for {@code data}, which the frame then owns. */
    public Chunk encode(int streamId, long epoch, int index, byte[] data) {
        if (context != null) {
            int bound = (int) Zstd.compressBound(data.length);
            if (output.length < bound) {
                output = new byte[bound];
            }
            int size = context.compressByteArray(output, 0, output.length, data, 0, data.length);
            if (size <= data.length - (data.length >>> 5)) {
                return new Chunk(streamId, epoch, index, Constants.CODEC_ZSTD, data.length, Arrays.copyOf(output, size));
            }
        }
        return Chunk.raw(streamId, epoch, index, data);
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
        }
    }
}
