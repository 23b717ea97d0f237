package dev.deltasync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
            TestData.random(path, size, seed);
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
