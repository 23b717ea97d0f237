package dev.deltasync.cli;

import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionAccess;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Rewrites random 4 KiB pages of a file with random bytes, through its own writable mapping and at a
 * steady rate, as another program sharing the file would: the demo's writer, and the end-to-end tests'
 * writer process.
 */
final class PageWriter {
    static final int PAGE = 4096;

    private final SplittableRandom random;
    private long lastWriteNanos = System.nanoTime();

    PageWriter(SplittableRandom random) {
        this.random = random;
    }

    /** Writes {@code pagesPerSecond} pages a second for {@code duration}; returns how many it wrote. */
    long run(Path file, Duration duration, int pagesPerSecond) throws IOException, InterruptedException {
        try (MappedRegion region = MappedRegion.open(file, RegionAccess.READ_WRITE)) {
            MemorySegment segment = region.segment();
            long pages = region.size() / PAGE;
            if (pages == 0) {
                throw new IllegalArgumentException(file + " is smaller than one page");
            }
            long written = 0;
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            for (long now = start; now < end; now = System.nanoTime()) {
                long due = (long) ((now - start) / 1e9 * pagesPerSecond);
                while (written < due) {
                    RandomFill.fill(segment.asSlice(random.nextLong(pages) * PAGE, PAGE), random.nextLong());
                    written++;
                    lastWriteNanos = System.nanoTime();
                }
                Thread.sleep(5);
            }
            return written;
        }
    }

    /** When the last page was written, as {@link System#nanoTime()}. */
    long lastWriteNanos() {
        return lastWriteNanos;
    }
}
