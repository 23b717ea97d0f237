package dev.deltasync.sync.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.Zstd;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import java.util.Arrays;

/**
 * Turns a chunk's bytes into a CHUNK frame: a zero chunk (codec 2, no data) when every byte is zero and the
 * replica decodes those, else zstd-compressed when that saves at least 1/32 of the bytes (about 3 %), raw
 * otherwise: below that the replica's decompression costs more than the wire saves. One encoder per sending
 * thread; it reuses its zstd context and output buffer.
 *
 * <p>Adaptive: after {@value #MISSES_BEFORE_SKIPPING} chunks in a row that did not compress, the next
 * chunks are sent raw without trying, for a run of bytes that starts at {@value #FIRST_SKIP} and doubles
 * with every further miss up to {@value #MAX_SKIP}; the first chunk that compresses ends the skipping.
 * Why: random or already-compressed data (most of a first full sync of such a region) cost the sender
 * about 16 % of its CPU in zstd attempts that all ended in a raw send; at most {@value #MAX_SKIP} bytes of a
 * compressible stretch that follows go raw before the encoder notices it.
 */
public final class ChunkEncoder implements AutoCloseable {
    static final int MISSES_BEFORE_SKIPPING = 4;
    static final long FIRST_SKIP = 64 << 10;
    static final long MAX_SKIP = 1 << 20;

    /** Compared against, vectorized ({@link Arrays#mismatch}): the longest chunk is 1 MiB. */
    private static final byte[] ZEROS = new byte[Constants.MAX_CHUNK_SIZE];

    private final ZstdCompressCtx context;
    private final boolean zeroChunks;
    private byte[] output = new byte[0];
    private int missesInARow;
    private long skip = FIRST_SKIP;
    private long rawUntried;
    private long attempts;

    /** @param zeroChunks the replica decodes zero chunks (its HELLO lists codec 2) */
    public ChunkEncoder(Compression compression, boolean zeroChunks) {
        this.context = compression.enabled() ? new ZstdCompressCtx().setLevel(compression.level()) : null;
        this.zeroChunks = zeroChunks;
    }

    /** True when every byte of {@code data} is zero. */
    public static boolean allZeros(byte[] data) {
        return Arrays.mismatch(data, 0, data.length, ZEROS, 0, data.length) < 0;
    }

    /** The CHUNK frame for {@code data}, which the frame then owns. */
    public Chunk encode(int streamId, long epoch, int index, byte[] data) {
        if (zeroChunks && allZeros(data)) {
            return Chunk.zeros(streamId, epoch, index, data.length);
        }
        if (context == null) {
            return Chunk.raw(streamId, epoch, index, data);
        }
        if (rawUntried > 0) {
            rawUntried -= data.length;
            return Chunk.raw(streamId, epoch, index, data);
        }
        attempts++;
        int bound = (int) Zstd.compressBound(data.length);
        if (output.length < bound) {
            output = new byte[bound];
        }
        int size = context.compressByteArray(output, 0, output.length, data, 0, data.length);
        if (size <= data.length - (data.length >>> 5)) {
            missesInARow = 0;
            skip = FIRST_SKIP;
            return new Chunk(streamId, epoch, index, Constants.CODEC_ZSTD, data.length, Arrays.copyOf(output, size));
        }
        if (++missesInARow >= MISSES_BEFORE_SKIPPING) {
            rawUntried = skip;
            skip = Math.min(MAX_SKIP, skip * 2);
        }
        return Chunk.raw(streamId, epoch, index, data);
    }

    /** How many chunks zstd was tried on, for tests and statistics. */
    long attempts() {
        return attempts;
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
        }
    }
}
