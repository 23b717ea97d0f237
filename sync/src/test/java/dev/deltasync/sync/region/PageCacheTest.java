package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cachestat(2) as the trust passes use it: dirty pages, by write and by mapping, and none once written back. */
class PageCacheTest {
    private static final int SIZE = 64 << 12;

    @TempDir
    Path dir;

    @Test
    void countsPagesDirtiedThroughAMappingUntilTheyAreWrittenBack() throws Exception {
        Path file = dir.resolve("file.bin");
        Files.write(file, new byte[SIZE]);
        Optional<PageCache.Counts> written = PageCache.of(file);
        assumeTrue(written.isPresent(), "no cachestat (Linux 6.5+) here");
        assertEquals(FileIdentity.of(file), written.get().file());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.force(false);
            PageCache.Counts clean = PageCache.of(file).orElseThrow();
            assertTrue(clean.clean(), clean.toString());
            assertTrue(clean.cached() > 0, clean.toString());

            MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            mapping.put(5 << 12, (byte) 1);
            mapping.put(9 << 12, (byte) 1);
            PageCache.Counts dirty = PageCache.of(file).orElseThrow();
            assertFalse(dirty.clean(), dirty.toString());
            assertTrue(dirty.dirty() >= 2, dirty.toString());

            mapping.force();
            assertTrue(PageCache.of(file).orElseThrow().clean());
        }
    }

    /** A struct the kernel did not fill (a call that did not run) tells nothing; a zeroed one would read clean. */
    @Test
    void countsTheKernelDidNotFillTellNothing() throws Exception {
        FileIdentity file = FileIdentity.of(Files.write(dir.resolve("file.bin"), new byte[10]));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            assertTrue(PageCache.countsIn(file, PageCache.unfilled(arena)).isEmpty());
            java.lang.foreign.MemorySegment filled = PageCache.unfilled(arena).fill((byte) 0);
            assertTrue(PageCache.countsIn(file, filled).orElseThrow().clean());
        }
    }

    @Test
    void aMissingFileOrASymlinkTellsNothing() throws Exception {
        assertTrue(PageCache.of(dir.resolve("missing")).isEmpty());
        Path target = Files.write(dir.resolve("target"), new byte[10]);
        assertTrue(PageCache.of(Files.createSymbolicLink(dir.resolve("link"), target)).isEmpty());
    }
}
