package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * BLAKE3-256 via BouncyCastle, which only takes {@code byte[]}: chunks go through an {@link ArrayWindow}
 * (no copy for heap segments, such as the copies the source sends and the chunks the replica writes);
 * native segments too large for one window are fed one window at a time.
 */
final class Blake3Hasher implements ChunkHasher {
    private final Blake3Digest digest = new Blake3Digest(256);
    private final ArrayWindow window = new ArrayWindow();

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.BLAKE3;
    }

    @Override
    public String implementation() {
        return "BouncyCastle";
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        digest.reset();
        if (window.view(data)) {
            digest.update(window.array(), window.offset(), window.length());
        } else {
            long size = data.byteSize();
            for (long pos = 0; pos < size; pos += ArrayWindow.MAX_COPY) {
                window.view(data.asSlice(pos, Math.min(ArrayWindow.MAX_COPY, size - pos)));
                digest.update(window.array(), window.offset(), window.length());
            }
        }
        digest.doFinal(out, offset);
    }
}
