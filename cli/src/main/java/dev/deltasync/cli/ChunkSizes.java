package dev.deltasync.cli;

import dev.deltasync.protocol.Constants;

/** The chunk sizes protocol v1 allows: a power of two from 4 KiB to 1 MiB, or the source's choice. */
final class ChunkSizes {
    private ChunkSizes() {}

    /** A chunk size, or {@code auto}: {@link Constants#CHUNK_SIZE_CHOSEN_BY_SOURCE}, the source decides. */
    static int parseOrAuto(String text) {
        return text.trim().equalsIgnoreCase("auto") ? Constants.CHUNK_SIZE_CHOSEN_BY_SOURCE : parse(text);
    }

    static int parse(String text) {
        long size = Sizes.parse(text);
        if (size > Constants.MAX_CHUNK_SIZE || !Constants.isValidChunkSize((int) size)) {
            throw CliException.usage("chunk size must be a power of two from 4KiB to 1MiB: '" + text + "'"
                    + Sizes.binaryHint(text));
        }
        return (int) size;
    }
}
