package dev.deltasync.sync.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ProtocolException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The encoder compresses what compresses, and stops trying on runs of chunks that do not. */
class ChunkEncoderTest {
    private static final int CHUNK = 4096;

    private final SplittableRandom random = new SplittableRandom(13);

    private byte[] randomChunk() {
        byte[] b = new byte[CHUNK];
        random.nextBytes(b);
        return b;
    }

    /** Text-like: a few random bytes among repeated ones, compresses to well under half. */
    private byte[] compressibleChunk() {
        byte[] b = new byte[CHUNK];
        Arrays.fill(b, (byte) 'a');
        for (int i = 0; i < CHUNK; i += 64) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    @Test
    void everyCompressibleChunkIsCompressedAndDecodesToItsBytes() throws ProtocolException {
        try (ChunkEncoder encoder = new ChunkEncoder(Compression.ZSTD_DEFAULT, false); ChunkDecoder decoder = new ChunkDecoder()) {
            for (int i = 0; i < 200; i++) {
                byte[] data = compressibleChunk();
                Chunk chunk = encoder.encode(1, 1, i, data.clone());
                assertEquals(Constants.CODEC_ZSTD, chunk.codec(), "chunk " + i);
                assertTrue(chunk.data().length < CHUNK / 2, "chunk " + i + ": " + chunk.data().length + " bytes");
                assertArrayEquals(data, Arrays.copyOf(decoder.decode(chunk, new byte[CHUNK]), CHUNK), "chunk " + i);
            }
            assertEquals(200, encoder.attempts());
        }
    }

    /** A first full sync of random data: zstd is tried on a few chunks, not on all of them. */
    @Test
    void aRunOfIncompressibleChunksIsSentRawMostlyWithoutTrying() {
        int chunks = 2000;
        try (ChunkEncoder encoder = new ChunkEncoder(Compression.ZSTD_DEFAULT, false)) {
            for (int i = 0; i < chunks; i++) {
                byte[] data = randomChunk();
                Chunk chunk = encoder.encode(1, 1, i, data);
                assertEquals(Constants.CODEC_NONE, chunk.codec(), "chunk " + i);
                assertEquals(CHUNK, chunk.rawLength());
                assertArrayEquals(data, chunk.data(), "chunk " + i);
            }
            // 4 misses, then skips of 64 KiB, 128 KiB, ... 1 MiB with one try between: 2000 chunks are 7.8 MiB.
            assertTrue(encoder.attempts() <= 20, "zstd tried on " + encoder.attempts() + " of " + chunks + " chunks");
        }
    }

    /** Compressible data after a long random stretch is compressed again within one maximal skip. */
    @Test
    void compressionResumesWithinOneMaximalSkipAfterRandomData() {
        try (ChunkEncoder encoder = new ChunkEncoder(Compression.ZSTD_DEFAULT, false)) {
            for (int i = 0; i < 2000; i++) {
                encoder.encode(1, 1, i, randomChunk());
            }
            int rawBeforeResuming = 0;
            while (encoder.encode(1, 1, 0, compressibleChunk()).codec() == Constants.CODEC_NONE) {
                rawBeforeResuming++;
                assertTrue(rawBeforeResuming <= ChunkEncoder.MAX_SKIP / CHUNK, "still raw after " + rawBeforeResuming);
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(Constants.CODEC_ZSTD, encoder.encode(1, 1, i, compressibleChunk()).codec(), "chunk " + i);
            }
        }
    }

    /** Random chunks between compressible ones never make a run long enough to stop trying. */
    @Test
    void isolatedIncompressibleChunksDoNotStopCompression() {
        try (ChunkEncoder encoder = new ChunkEncoder(Compression.ZSTD_DEFAULT, false)) {
            for (int i = 0; i < 300; i++) {
                for (int r = 0; r < ChunkEncoder.MISSES_BEFORE_SKIPPING - 1; r++) {
                    assertEquals(Constants.CODEC_NONE, encoder.encode(1, 1, i, randomChunk()).codec());
                }
                assertEquals(Constants.CODEC_ZSTD, encoder.encode(1, 1, i, compressibleChunk()).codec(), "round " + i);
            }
        }
    }

    @Test
    void noneNeverCompresses() {
        try (ChunkEncoder encoder = new ChunkEncoder(Compression.NONE, false)) {
            assertEquals(Constants.CODEC_NONE, encoder.encode(1, 1, 0, compressibleChunk()).codec());
            assertEquals(0, encoder.attempts());
        }
    }

    @Test
    void allZerosIsAZeroChunkWhenTheReplicaDecodesThemAndZerosAgainWhenDecoded() throws Exception {
        byte[] zeros = new byte[65536];
        byte[] almost = new byte[65536];
        almost[65535] = 1;
        try (ChunkEncoder encoder = new ChunkEncoder(Compression.NONE, true); ChunkDecoder decoder = new ChunkDecoder()) {
            Chunk chunk = encoder.encode(1, 1, 0, zeros);
            assertEquals(Constants.CODEC_ZERO, chunk.codec());
            assertEquals(0, chunk.data().length);
            assertTrue(ChunkDecoder.isZeros(chunk));
            byte[] scratch = new byte[65536];
            Arrays.fill(scratch, (byte) 9);
            assertArrayEquals(zeros, decoder.decode(chunk, scratch));
            assertEquals(Constants.CODEC_NONE, encoder.encode(1, 1, 0, almost).codec(), "one byte is not zeros");
        }
        try (ChunkEncoder encoder = new ChunkEncoder(Compression.ZSTD_DEFAULT, false)) {
            assertEquals(Constants.CODEC_ZSTD, encoder.encode(1, 1, 0, zeros).codec(), "a peer without codec 2");
        }
    }
}
