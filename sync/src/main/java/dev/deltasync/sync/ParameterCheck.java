package dev.deltasync.sync;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import java.util.Optional;

/** The stream parameters both sides accept (PROTOCOL.md, OPEN): one place, used by client and server. */
final class ParameterCheck {
    /** The automatic chunk size keeps a region at most this many chunks (a 16 MiB xxh3-128 table). */
    static final long AUTO_MAX_CHUNKS = 1L << 20;

    private ParameterCheck() {}

    /**
     * The chunk size a source picks when left to choose (PROTOCOL.md §9.5): the smallest valid one that
     * keeps the region at most {@link #AUTO_MAX_CHUNKS} chunks, i.e. 4 KiB up to 4 GiB, then doubling.
     * Page-sized chunks send only the pages that changed; the cap bounds the digest table.
     */
    static int autoChunkSize(long regionSize) {
        int size = Constants.MIN_CHUNK_SIZE;
        while (size < Constants.MAX_CHUNK_SIZE && (regionSize + size - 1) / size > AUTO_MAX_CHUNKS) {
            size <<= 1;
        }
        return size;
    }

    /**
     * @param receiverMaxFramePayload the limit of the side that will receive CHUNK frames
     * @return why the parameters are unacceptable, or empty
     */
    static Optional<String> problem(int chunkSize, long regionSize, int receiverMaxFramePayload) {
        if (!Constants.isValidChunkSize(chunkSize)) {
            return Optional.of("chunk size " + chunkSize + " is not a power of two from "
                    + Constants.MIN_CHUNK_SIZE + " to " + Constants.MAX_CHUNK_SIZE);
        }
        if (chunkSize + Constants.CHUNK_HEADER_LENGTH > receiverMaxFramePayload) {
            return Optional.of("chunk size " + chunkSize + " does not fit the receiver's frame limit of "
                    + receiverMaxFramePayload + " bytes");
        }
        if ((regionSize + chunkSize - 1) / chunkSize > Integer.MAX_VALUE) {
            return Optional.of("region of " + regionSize + " bytes has too many " + chunkSize + "-byte chunks");
        }
        return Optional.empty();
    }

    /** The hash an OPEN names, if both sides' HELLOs list it (PROTOCOL.md §5.3, §9.2). */
    static HashAlgorithm hash(int wireId, StreamChannel channel) throws SyncException {
        HashAlgorithm hash = HashAlgorithm.fromWireId(wireId).orElseThrow(() -> channel.violation(
                ErrorCode.UNSUPPORTED_PARAMETER, "unknown hash algorithm id %d", wireId));
        if (!channel.hashAgreed(wireId)) {
            throw channel.violation(ErrorCode.UNSUPPORTED_PARAMETER,
                    "hash %s (id %d) is not listed in both HELLOs", hash.cliName(), wireId);
        }
        return hash;
    }
}
