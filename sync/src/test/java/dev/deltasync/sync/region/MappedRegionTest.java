package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedRegionTest {
    @TempDir
    Path dir;

    @Test
    void writesThroughTheMappingReachTheFile() throws IOException {
        Path file = dir.resolve("r.bin");
        try (MappedRegion region = MappedRegion.openResized(file, 10_000)) {
            region.segment().asSlice(4096, 5).copyFrom(MemorySegment.ofArray("hello".getBytes()));
            region.sync();
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(10_000, bytes.length);
        assertEquals("hello", new String(bytes, 4096, 5));
        assertEquals(0, bytes[0]);
    }

    @Test
    void mapsAThreeGibSparseFileAndReachesItsLastByte() throws IOException {
        long size = 3L << 30;
        Path file = dir.resolve("big.bin");
        try (MappedRegion region = MappedRegion.openResized(file, size)) {
            assertEquals(size, region.size());
            region.segment().set(ValueLayout.JAVA_BYTE, size - 1, (byte) 0x5A);
            region.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x11);
            region.sync();
        }
        assertEquals(size, Files.size(file));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            assertEquals(0x5A, last.get(0));
        }
        try (MappedRegion region = MappedRegion.open(file, RegionAccess.READ_ONLY)) {
            assertEquals(0x11, region.segment().get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0, region.segment().get(ValueLayout.JAVA_BYTE, size / 2));
        }
    }

    @Test
    void resizingTruncatesAndExtends() throws IOException {
        Path file = dir.resolve("r.bin");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        try (MappedRegion region = MappedRegion.openResized(file, 4)) {
            assertEquals(4, region.size());
        }
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(file));
        try (MappedRegion region = MappedRegion.openResized(file, 6)) {
            assertEquals(6, region.size());
        }
        assertArrayEquals(new byte[] {1, 2, 3, 4, 0, 0}, Files.readAllBytes(file));
    }

    @Test
    void emptyFileMapsToAnEmptySegment() throws IOException {
        Path file = dir.resolve("empty.bin");
        Files.createFile(file);
        try (MappedRegion region = MappedRegion.open(file, RegionAccess.READ_WRITE)) {
            assertEquals(0, region.size());
            region.sync();
        }
    }

    @Test
    void failsWhenTheFileIsMissing() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> MappedRegion.open(dir.resolve("missing.bin"), RegionAccess.READ_ONLY));
        assertTrue(e.getMessage().contains("missing.bin"), e.getMessage());
    }

    @Test
    void readOnlyMappingRejectsWrites() throws IOException {
        Path file = dir.resolve("ro.bin");
        Files.write(file, new byte[4096]);
        try (MappedRegion region = MappedRegion.open(file, RegionAccess.READ_ONLY)) {
            assertTrue(region.segment().isReadOnly());
            assertThrows(IllegalArgumentException.class,
                    () -> region.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            region.sync(); // msync on a read-only shared mapping is legal and settles the pages
        }
    }

    @Test
    void closeUnmapsDeterministically() throws IOException {
        Path file = dir.resolve("r.bin");
        MappedRegion region = MappedRegion.openResized(file, 4096);
        MemorySegment segment = region.segment();
        region.close();
        assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void failingMsyncNamesErrnoAndRegion() throws IOException {
        Path file = dir.resolve("r.bin");
        try (MappedRegion region = MappedRegion.openResized(file, 8192)) {
            MemorySegment unaligned = region.segment().asSlice(1, 100);
            IOException e = assertThrows(IOException.class, () -> Msync.sync(unaligned, "region-x"));
            assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
            assertTrue(e.getMessage().contains("errno 22"), e.getMessage());
            assertTrue(e.getMessage().contains("region-x"), e.getMessage());
        }
    }

    @Test
    void aRangeMsyncNeedsNoAlignmentFromItsCallerAndStopsAtTheEnd() throws IOException {
        Path file = dir.resolve("range.bin");
        try (MappedRegion region = MappedRegion.openResized(file, 300_000)) {
            region.segment().asSlice(70_000, 5).copyFrom(MemorySegment.ofArray("hello".getBytes()));
            region.sync(70_000, 5); // not page-aligned: rounded down inside
            region.sync(299_990, 4096); // past the end: clipped
        }
        assertEquals("hello", new String(Files.readAllBytes(file), 70_000, 5));
    }
}
