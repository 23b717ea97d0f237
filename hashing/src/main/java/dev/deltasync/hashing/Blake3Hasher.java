package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * BLAKE3-256 via BouncyCastle, which only takes {@code byte[]}: chunks go through an {@link ArrayWindow}
 * (no copy for heap segments, such as the copies the source sends and the chunks the replica writes);
 * only segments too large for one window are fed in 64 KiB slices.
 */
final class Blake3Hasher implements ChunkHasher {
    private static final int SLICE = 64 * 1024;

    private final Blake3Digest digest = new Blake3Digest(256);
    private final ArrayWindow window = new ArrayWindow();
    private final byte[] slice = new byte[SLICE];

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.BLAKE3;
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        digest.reset();
        if (window.view(data)) {
            digest.update(window.array(), window.offset(), window.length());
        } else {
            long size = data.byteSize();
            for (long pos = 0; pos < size; pos += SLICE) {
                int n = (int) Math.min(SLICE, size - pos);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, slice, 0, n);
                digest.update(slice, 0, n);
            }
        }
        digest.doFinal(out, offset);
    }
}
