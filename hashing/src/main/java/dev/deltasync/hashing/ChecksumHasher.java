package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * CRC32C and CRC32 from the JDK, fed through {@link MemorySegment#asByteBuffer()} so the intrinsic reads the
 * memory in place. Buffers are limited to 2 GiB, hence the slicing for (unusual) larger segments. A file
 * mapping is fed through a heap copy instead ({@link ArrayWindow#safeForNativeRead} says why: the intrinsic
 * and the JNI fallback would take a truncated file's SIGBUS as a JVM crash).
 */
final class ChecksumHasher implements ChunkHasher {
    private static final long SLICE = 1L << 30;

    private final HashAlgorithm algorithm;
    private final Checksum checksum;
    private final ArrayWindow window = new ArrayWindow();

    private ChecksumHasher(HashAlgorithm algorithm, Checksum checksum) {
        this.algorithm = algorithm;
        this.checksum = checksum;
    }

    static ChecksumHasher crc32c() {
        return new ChecksumHasher(HashAlgorithm.CRC32C, new CRC32C());
    }

    static ChecksumHasher crc32() {
        return new ChecksumHasher(HashAlgorithm.CRC32, new CRC32());
    }

    @Override
    public HashAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public String implementation() {
        return "JDK " + checksum.getClass().getName();
    }

    @Override
    public void hash(MemorySegment data, byte[] out, int offset) {
        checksum.reset();
        long size = data.byteSize();
        long slice = data.isMapped() ? ArrayWindow.MAX_COPY : SLICE;
        for (long pos = 0; pos < size; pos += slice) {
            MemorySegment part = window.safeForNativeRead(data.asSlice(pos, Math.min(slice, size - pos)));
            checksum.update(part.asByteBuffer());
        }
        BigEndian.putInt(out, offset, (int) checksum.getValue());
    }
}
