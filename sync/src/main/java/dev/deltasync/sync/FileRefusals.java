package dev.deltasync.sync;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.region.RegionFileException;
import java.io.IOException;

/**
 * What a region file's problem becomes: another stream holding the file is a refusal (REFUSED_STREAM),
 * anything else an I/O error. A server words it by the region's name, since the message travels to a peer
 * that knows the region by name only; a client by its local path.
 */
final class FileRefusals {
    private FileRefusals() {}

    /** Resets {@code channel} for a server's region file that cannot be opened, and returns the exception. */
    static SyncException ofRegion(StreamChannel channel, String region, IOException e, boolean push) {
        if (!(e instanceof RegionFileException problem)) {
            return channel.violation(ErrorCode.IO_ERROR, "cannot map region '%s': %s", region, e.getMessage());
        }
        if (problem.problem() == RegionFileException.Problem.BUSY) {
            return channel.violation(ErrorCode.REFUSED_STREAM, "region '%s' is already being %s: its file %s", region,
                    push ? "pushed into" : "written", problem.predicate());
        }
        return channel.violation(ErrorCode.IO_ERROR, "region '%s': its file %s", region, problem.predicate());
    }

    /**
     * A client's local file that cannot be opened. None of these mends itself by retrying, except an I/O error
     * the OS gave no name for; a file busy with another stream is a refusal, like a region the server refuses.
     */
    static SyncException ofLocal(IOException e) {
        if (!(e instanceof RegionFileException problem)) {
            return new SyncException(ErrorCode.IO_ERROR, e.getMessage(), e);
        }
        return switch (problem.problem()) {
            case BUSY -> SyncException.notRetryable(ErrorCode.REFUSED_STREAM, e.getMessage(), e);
            case OTHER -> new SyncException(ErrorCode.IO_ERROR, e.getMessage(), e);
            default -> SyncException.notRetryable(ErrorCode.IO_ERROR, e.getMessage(), e);
        };
    }
}
