package dev.deltasync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Patches (codec 4, PROTOCOL.md §4.9): built from a chunk's pages, checked against rawLength, visited page by page. */
class ChunkPatchTest {

    @Test
    void aPatchCarriesTheBytesOfItsPagesAndFlagsZeroPages() {
        byte[] chunk = new byte[3 * Constants.PAGE_SIZE + 100]; // 4 pages, the last 100 bytes
        new Random(1).nextBytes(chunk);
        Arrays.fill(chunk, Constants.PAGE_SIZE, 2 * Constants.PAGE_SIZE, (byte) 0); // page 1 zeros
        byte[] data = new ChunkPatch.Builder(chunk).add(1).add(3).build();
        assertEquals(2 + 100, data.length, "two bitmap bytes, page 1 as a flag, page 3's 100 bytes");
        assertEquals((byte) 0x50, data[0], "pages 1 and 3 sent");
        assertEquals((byte) 0x40, data[1], "page 1 zeros");
        ChunkPatch.check(chunk.length, data);

        byte[] replica = new byte[chunk.length];
        Arrays.fill(replica, (byte) 7);
        List<Integer> visited = new ArrayList<>();
        ChunkPatch.forEachPage(chunk.length, data, (page, offset, length) -> {
            visited.add(page);
            int at = page * Constants.PAGE_SIZE;
            if (offset < 0) {
                Arrays.fill(replica, at, at + length, (byte) 0);
            } else {
                System.arraycopy(data, offset, replica, at, length);
            }
        });
        assertEquals(List.of(1, 3), visited);
        assertArrayEquals(new byte[Constants.PAGE_SIZE],
                Arrays.copyOfRange(replica, Constants.PAGE_SIZE, 2 * Constants.PAGE_SIZE), "page 1 zeroed");
        assertArrayEquals(Arrays.copyOfRange(chunk, 3 * Constants.PAGE_SIZE, chunk.length),
                Arrays.copyOfRange(replica, 3 * Constants.PAGE_SIZE, chunk.length), "page 3 replaced");
        assertEquals(7, replica[0], "page 0 kept the replica's bytes");
        assertEquals(7, replica[2 * Constants.PAGE_SIZE], "page 2 kept the replica's bytes");
    }

    @Test
    void anEmptyPatchIsOnlyItsBitmaps() {
        byte[] data = new ChunkPatch.Builder(new byte[9 * Constants.PAGE_SIZE]).build();
        assertEquals(4, data.length, "9 pages: two bitmaps of 2 bytes");
        ChunkPatch.check(9 * Constants.PAGE_SIZE, data);
    }

    @Test
    void malformedPatchesAreRefused() {
        int length = 2 * Constants.PAGE_SIZE + 8; // 3 pages
        assertRefused(length, new byte[] {0x20}, "bitmap bytes");
        assertRefused(length, bytes(0x10, 0x00), "past the chunk");
        assertRefused(length, bytes(0x00, 0x10), "past the chunk");
        assertRefused(length, bytes(0x20, 0x40, 1, 2, 3, 4, 5, 6, 7, 8), "zero but does not send");
        assertRefused(length, bytes(0x20, 0x00, 1, 2, 3, 4, 5, 6, 7), "bitmaps say 10");
        assertRefused(length, bytes(0x00, 0x00, 1), "bitmaps say 2");
    }

    @Test
    void pagesAreCountedFromTheChunksLength() {
        assertEquals(1, ChunkPatch.pageCount(1));
        assertEquals(1, ChunkPatch.pageCount(Constants.PAGE_SIZE));
        assertEquals(2, ChunkPatch.pageCount(Constants.PAGE_SIZE + 1));
        assertEquals(4096, ChunkPatch.pageCount(Constants.MAX_RAW_LENGTH));
        assertEquals(1, ChunkPatch.pageLength(Constants.PAGE_SIZE + 1, 1));
    }

    @Test
    void pagesAreAddedInIncreasingOrder() {
        ChunkPatch.Builder builder = new ChunkPatch.Builder(new byte[2 * Constants.PAGE_SIZE]).add(1);
        assertThrows(IllegalArgumentException.class, () -> builder.add(0));
        assertThrows(IllegalArgumentException.class, () -> builder.add(2));
    }

    private static void assertRefused(int rawLength, byte[] data, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChunkPatch.check(rawLength, data));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Chunk(1, 1, 0, Constants.CODEC_PATCH, rawLength, data), "the CHUNK record checks it too");
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
