package dev.deltasync.hashing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A segment's bytes as a {@code byte[]} range, for libraries that only take {@code byte[]} (BouncyCastle's
 * BLAKE3) or whose {@code byte[]} path warms up faster than their MemorySegment path (hash4j's XXH3): the
 * backing array itself for a heap segment (no copy),
 * else a copy in a buffer reused across calls. Not thread-safe, like the hashers that own one.
 *
 * <p>Why: hash4j's XXH3 over a mapped segment needs ~1.1 s of JIT warm-up before it reaches its
 * 4 GB/s (first 256 MiB pass 1155 ms, later passes 65 ms), while its {@code byte[]} path warms in
 * ~0.4 s and, warm, costs the same including the copy (66 ms). A {@code push --once} runs in a fresh
 * JVM, so the warm-up is most of its hashing time.
 */
final class ArrayWindow {
    /**
     * Larger native segments are not copied whole (the hashers then go their own way). None occur in deltasync
     * today: chunks are at most 1 MiB and root digests hash a heap table.
     */
    static final int MAX_COPY = 4 << 20;

    private byte[] buffer = new byte[0];
    private byte[] array;
    private int offset;
    private int length;

    /** Points this window at {@code data}; false when it is native and larger than {@link #MAX_COPY}. */
    boolean view(MemorySegment data) {
        long size = data.byteSize();
        if (data.heapBase().orElse(null) instanceof byte[] heap && size <= Integer.MAX_VALUE) {
            array = heap;
            offset = (int) data.address();
            length = (int) size;
            return true;
        }
        if (size > MAX_COPY) {
            return false;
        }
        if (buffer.length < size) {
            buffer = new byte[(int) size];
        }
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, buffer, 0, (int) size);
        array = buffer;
        offset = 0;
        length = (int) size;
        return true;
    }

    /**
     * {@code data} itself, or for a file mapping a heap copy of it: a native call that reads a mapping whose
     * file was truncated, or whose filesystem is full (a tmpfs hole), takes a SIGBUS that kills the JVM,
     * while Java's copy turns it into an {@link InternalError} the sync loop reports as IO_ERROR
     * (sync's FullDiskTest). The copy of a chunk stays in L1/L2, so it costs little next to the hash.
     */
    MemorySegment safeForNativeRead(MemorySegment data) {
        if (!data.isMapped()) {
            return data;
        }
        if (!view(data)) {
            throw new IllegalArgumentException("a mapped segment of " + data.byteSize() + " bytes is larger than "
                    + MAX_COPY + ", the most hashed from one copy");
        }
        return MemorySegment.ofArray(array).asSlice(offset, length);
    }

    byte[] array() {
        return array;
    }

    int offset() {
        return offset;
    }

    int length() {
        return length;
    }
}
