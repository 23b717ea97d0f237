package dev.deltasync.hashing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs of consecutive chunks laid out for native hashing: native memory is read in place, a file mapping through
 * a copy in a buffer of this window's own, up to {@value #CAPACITY} bytes at a time.
 *
 * <p>Why a copy: a native read of a mapping whose file was truncated, or whose file system is full, takes a
 * SIGBUS that kills the JVM, where Java's copy turns it into an {@link InternalError} the sync loop reports
 * (see {@link ArrayWindow#safeForNativeRead}). Why many chunks per copy: under C1, which a {@code --once} run
 * uses alone, slicing and copying each 4 KiB chunk on its own cost more than hashing it. Not thread-safe: one
 * per hasher.
 */
final class NativeWindow {
    /** The largest chunk size (PROTOCOL.md §9.5): a window always holds at least one whole chunk. */
    static final int CAPACITY = 1 << 20;

    private MemorySegment buffer;

    /** Receives one chunk of a run: {@code length} bytes at {@code offset} in {@code staged}, the {@code n}-th. */
    @FunctionalInterface
    interface ChunkSink {
        void chunk(MemorySegment staged, long offset, long length, int n);
    }

    /**
     * Calls {@code sink} for each chunk of {@code region[offset, offset + length)}, in order: each
     * {@code chunkSize} bytes long but the last, which may be shorter. {@code region} must be native.
     */
    void forEachChunk(MemorySegment region, long offset, long length, int chunkSize, ChunkSink sink) {
        if (!region.isMapped()) {
            chunks(region, offset, length, chunkSize, 0, sink);
            return;
        }
        long span = (long) Math.max(1, CAPACITY / chunkSize) * chunkSize;
        int n = 0;
        for (long done = 0; done < length; ) {
            long size = Math.min(span, length - done);
            MemorySegment.copy(region, offset + done, buffer(span), 0, size);
            n = chunks(buffer, 0, size, chunkSize, n, sink);
            done += size;
        }
    }

    private static int chunks(MemorySegment from, long offset, long length, int chunkSize, int n, ChunkSink sink) {
        for (long at = 0; at < length; at += chunkSize) {
            sink.chunk(from, offset + at, Math.min(chunkSize, length - at), n++);
        }
        return n;
    }

    private MemorySegment buffer(long size) {
        if (buffer == null || buffer.byteSize() < size) {
            buffer = Arena.ofAuto().allocate(size, 64);
        }
        return buffer;
    }
}
