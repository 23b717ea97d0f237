package dev.deltasync.sync.refine;

import dev.deltasync.hashing.SeededXxh3_128;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.ChunkPatch;
import dev.deltasync.protocol.Constants;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The pages of one chunk (PROTOCOL.md §9.9): their digests, the patch of those that differ from a replica's, and
 * a patch applied. Page digests are seeded XXH3-128's, with the seed of the REFINE they answer. Pages are {@value Constants#PAGE_SIZE} bytes from the chunk's start; its last may be short.
 */
public final class Pages {

    private Pages() {
    }

    /** The digests of every page of {@code chunk}, in page order, as one array (PAGE_DIGESTS' digests). */
    public static byte[] digests(MemorySegment chunk, SeededXxh3_128 hasher) {
        int length = Math.toIntExact(chunk.byteSize());
        int digestLength = SeededXxh3_128.DIGEST_LENGTH;
        byte[] digests = new byte[ChunkPatch.pageCount(length) * digestLength];
        for (int page = 0; page < ChunkPatch.pageCount(length); page++) {
            hasher.hash(chunk.asSlice((long) page * Constants.PAGE_SIZE, ChunkPatch.pageLength(length, page)),
                    digests, page * digestLength);
        }
        return digests;
    }

    /**
     * The patch that turns a replica's chunk into {@code copy}: every page whose digest differs from the replica's,
     * zero pages as flags.
     *
     * @param replicaPages the replica's page digests; null when its chunk is zeros (its table says so)
     * @param hasher       seeded with the seed of the REFINE that {@code replicaPages} answer
     */
    public static byte[] patch(byte[] copy, byte[] replicaPages, SeededXxh3_128 hasher) {
        ChunkPatch.Builder patch = new ChunkPatch.Builder(copy);
        int digestLength = SeededXxh3_128.DIGEST_LENGTH;
        byte[] digest = new byte[digestLength];
        byte[] zeros = new byte[Constants.PAGE_SIZE];
        MemorySegment bytes = MemorySegment.ofArray(copy);
        for (int page = 0; page < ChunkPatch.pageCount(copy.length); page++) {
            int from = page * Constants.PAGE_SIZE;
            int length = ChunkPatch.pageLength(copy.length, page);
            boolean differs;
            if (replicaPages == null) {
                differs = Arrays.mismatch(copy, from, from + length, zeros, 0, length) >= 0;
            } else {
                hasher.hash(bytes.asSlice(from, length), digest, 0);
                differs = Arrays.mismatch(digest, 0, digestLength, replicaPages, page * digestLength,
                        (page + 1) * digestLength) >= 0;
            }
            if (differs) {
                patch.add(page);
            }
        }
        return patch.build();
    }

    /** Writes the pages a patch (a codec-4 CHUNK, checked when built) carries into {@code chunk}; keeps the others. */
    public static void apply(Chunk patch, MemorySegment chunk) {
        byte[] data = patch.data();
        ChunkPatch.forEachPage(patch.rawLength(), data, (page, offset, length) -> {
            MemorySegment target = chunk.asSlice((long) page * Constants.PAGE_SIZE, length);
            if (offset < 0) {
                target.fill((byte) 0);
            } else {
                MemorySegment.copy(MemorySegment.ofArray(data), offset, target, 0, length);
            }
        });
    }
}
