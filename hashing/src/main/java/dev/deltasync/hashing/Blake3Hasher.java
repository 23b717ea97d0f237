package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * BLAKE3-256 via BouncyCastle. Its digest only takes {@code byte[]}, so the segment is copied through a
 * reusable 64 KiB buffer: one copy per byte, no allocation per chunk.
 */
final class Blake3Hasher implements ChunkHasher {
    private static final int SLICE = 64 * 1024;

    private final Blake3Digest digest = new Blake3Digest(256);
    private final byte[] buffer = new byte[SLICE];

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.BLAKE3;
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        digest.reset();
        long size = data.byteSize();
        for (long pos = 0; pos < size; pos += SLICE) {
            int n = (int) Math.min(SLICE, size - pos);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, buffer, 0, n);
            digest.update(buffer, 0, n);
        }
        digest.doFinal(out, offset);
    }
}
