package dev.deltasync.sync.codec;

import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import java.util.Arrays;

/**
 * Consecutive raw chunks gathered into one run (codec 3, PROTOCOL.md §4.9), up to a byte limit: a first full sync
 * of 4 KiB chunks then costs one frame, one hand-off to the event loop and one decode per run instead of per chunk.
 * A run of one chunk goes as a plain raw chunk. One per sending thread.
 */
public final class ChunkRun {
    /**
     * The longest run sent: 32 chunks of 4 KiB. Longer runs gain little more (the per-frame cost is already 1/32),
     * and two of them still fit the stream's send queue, so the event loop writes one while the engine fills the next.
     */
    public static final int MAX_BYTES = 128 * 1024;

    private final int maxBytes;
    private byte[] buffer;
    private int firstIndex;
    private int count;
    private int length;

    /**
     * @param peerMaxFramePayload the largest frame payload the replica accepts: a run and its header must fit it
     * @param chunkSize           the stream's chunk size
     */
    public ChunkRun(int peerMaxFramePayload, int chunkSize) {
        int fits = Math.min(MAX_BYTES, peerMaxFramePayload - Constants.CHUNK_HEADER_LENGTH);
        this.maxBytes = Math.max(chunkSize, fits / chunkSize * chunkSize);
        this.buffer = new byte[maxBytes];
    }

    /** True when nothing is gathered. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** True when chunk {@code index} of {@code chunkLength} bytes can join the run: it is the next index and fits. */
    public boolean accepts(int index, int chunkLength) {
        return count == 0 || index == firstIndex + count && length + chunkLength <= maxBytes;
    }

    /** Appends chunk {@code index}'s bytes; call only when {@link #accepts} says so. */
    public void add(int index, byte[] data) {
        if (!accepts(index, data.length)) {
            throw new IllegalStateException("chunk " + index + " does not continue the run");
        }
        if (count == 0) {
            firstIndex = index;
        }
        System.arraycopy(data, 0, buffer, length, data.length);
        length += data.length;
        count++;
    }

    /** How many chunks the run holds. */
    public int chunks() {
        return count;
    }

    /** The gathered chunks as one frame (a raw chunk when there is one), which owns its data; the run is emptied. */
    public Chunk take(int streamId, long epoch) {
        if (count == 0) {
            throw new IllegalStateException("empty run");
        }
        byte[] data;
        if (length == buffer.length) { // a full run hands its buffer over: a fresh one costs a fill, not a copy
            data = buffer;
            buffer = new byte[maxBytes];
        } else {
            data = Arrays.copyOf(buffer, length);
        }
        Chunk frame = count == 1 ? Chunk.raw(streamId, epoch, firstIndex, data)
                : Chunk.run(streamId, epoch, firstIndex, data);
        count = 0;
        length = 0;
        return frame;
    }
}
