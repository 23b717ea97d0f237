package dev.deltasync.sync.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChunkRunTest {
    private static final int CHUNK = 4096;

    @Test
    void aTakenRunKeepsItsBytesWhileTheNextOneGathers() {
        ChunkRun run = new ChunkRun(1 << 20, CHUNK);
        int perRun = ChunkRun.MAX_BYTES / CHUNK;
        for (int i = 0; i < perRun; i++) {
            run.add(i, filled(i));
        }
        assertFalse(run.accepts(perRun, CHUNK), "a full run takes no more");
        Chunk first = run.take(1, 1);
        assertEquals(Constants.CODEC_RUN, first.codec());
        byte[] expected = first.data().clone();
        for (int i = perRun; i < 2 * perRun; i++) {
            run.add(i, filled(i)); // must not write into the first frame's data
        }
        Chunk second = run.take(1, 1);
        assertArrayEquals(expected, first.data());
        assertEquals(perRun, second.index());
        assertArrayEquals(filled(perRun), Arrays.copyOf(second.data(), CHUNK));
        run.add(7, filled(7));
        run.add(8, filled(8));
        Chunk partial = run.take(1, 1);
        assertEquals(2 * CHUNK, partial.data().length);
        assertArrayEquals(expected, first.data());
    }

    private static byte[] filled(int value) {
        byte[] bytes = new byte[CHUNK];
        Arrays.fill(bytes, (byte) (value + 1));
        return bytes;
    }
}
