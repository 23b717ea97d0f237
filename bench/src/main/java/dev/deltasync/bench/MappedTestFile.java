package dev.deltasync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * A temp file of random bytes mapped read-only and pre-faulted, as the engine maps a region: benchmarks then
 * measure hashing, not page faults or disk reads.
 */
final class MappedTestFile implements AutoCloseable {
    private final Path path;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segment;

    MappedTestFile(long size, long seed) {
        try {
            path = Files.createTempFile("deltasync-bench-", ".bin");
            writeRandom(path, size, seed);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                segment = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        segment.load();
        prefault(segment);
    }

    MemorySegment segment() {
        return segment;
    }

    private static void writeRandom(Path path, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; ) {
                buf.clear();
                while (buf.remaining() >= Long.BYTES) {
                    buf.putLong(random.nextLong());
                }
                buf.flip().limit((int) Math.min(buf.limit(), size - written));
                written += ch.write(buf);
            }
        }
    }

    /** Touches every page so the first measured pass does not pay for the faults. */
    private static void prefault(MemorySegment segment) {
        long sum = 0;
        for (long i = 0; i < segment.byteSize(); i += 4096) {
            sum += segment.get(ValueLayout.JAVA_BYTE, i);
        }
        if (sum == 42) {
            System.err.print(""); // keeps the loop alive
        }
    }

    @Override
    public void close() {
        arena.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
