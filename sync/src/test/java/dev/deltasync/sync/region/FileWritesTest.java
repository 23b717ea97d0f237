package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MappedRegion#write}: through the file where it may, never growing a truncated file back to its size. */
class FileWritesTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void heapAndNativeBytesWrittenThroughTheFileShowInTheMappingAndTheFile() throws IOException {
        Path file = dir.resolve("r.bin");
        byte[] heap = random(300_000, 1); // longer than the staging buffer: written in pieces
        byte[] direct = random(8192, 2);
        try (RegionFile opened = RegionFile.forWriting(file); MappedRegion region = opened.mapResized(SIZE);
             Arena arena = Arena.ofConfined()) {
            region.write(4096, MemorySegment.ofArray(heap));
            region.write(SIZE - 2 * 8192, arena.allocate(direct.length).copyFrom(MemorySegment.ofArray(direct)));
            region.write(SIZE - 8192, MemorySegment.ofArray(direct)); // the end: through the mapping
            assertArrayEquals(heap, region.segment().asSlice(4096, heap.length).toArray(ValueLayout.JAVA_BYTE));
            region.sync();
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(SIZE, bytes.length);
        assertArrayEquals(heap, Arrays.copyOfRange(bytes, 4096, 4096 + heap.length));
        assertArrayEquals(direct, Arrays.copyOfRange(bytes, SIZE - 2 * 8192, SIZE - 8192));
        assertArrayEquals(direct, Arrays.copyOfRange(bytes, SIZE - 8192, SIZE));
        assertArrayEquals(new byte[4096], Arrays.copyOfRange(bytes, 0, 4096));
    }

    @Test
    void writesIntoAFileTruncatedUnderTheMappingNeverRestoreItsSize() throws IOException {
        Path file = dir.resolve("r.bin");
        try (RegionFile opened = RegionFile.forWriting(file); MappedRegion region = opened.mapResized(SIZE)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(4096);
            }
            region.write(8192, MemorySegment.ofArray(random(4096, 3))); // grows the file, but not to its size
            assertEquals(3 * 4096, Files.size(file));
            assertThrows(RegionResizedException.class, region::checkIntact);
            try {
                region.write(SIZE - 4096, MemorySegment.ofArray(random(4096, 4)));
            } catch (InternalError expected) {
                // SIGBUS: the last page lies past the end of the file now
            }
            assertEquals(3 * 4096, Files.size(file), "a write reaching the end must not restore the mapped size");
            assertThrows(RegionResizedException.class, region::checkIntact);
        }
    }

    @Test
    void aWriteOutsideTheRegionIsRefused() throws IOException {
        Path file = dir.resolve("r.bin");
        try (RegionFile opened = RegionFile.forWriting(file); MappedRegion region = opened.mapResized(8192)) {
            assertThrows(IndexOutOfBoundsException.class, () -> region.write(4097, MemorySegment.ofArray(new byte[4096])));
        }
        assertEquals(8192, Files.size(file));
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
