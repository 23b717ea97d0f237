package dev.deltasync.sync;

import dev.deltasync.sync.region.MappedRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Touching a page of a mapping whose file was truncated (or whose disk is full) raises SIGBUS, which
 * the JVM turns into an {@link InternalError}. In compiled code it arrives asynchronously, so it can
 * surface anywhere in a source or replica loop, not only in the copy that touched the page: each side
 * catches it once, around its whole loop, and resets the stream with IO_ERROR and this message.
 */
final class RegionFault {
    /** Below this much free space a fault is put down to a full filesystem. */
    private static final long NEARLY_FULL = 1 << 20;

    private RegionFault() {}

    /**
     * Says which of the causes it was, as far as the file and its filesystem still show it. The path stays
     * out: the message travels to the peer, which knows the region by name only.
     */
    static String describe(String name, MappedRegion region, InternalError e) {
        return describe(name, region, e.getMessage());
    }

    /** The same for a write through the file that failed with {@code detail} (ENOSPC for a full disk). */
    static String describe(String name, MappedRegion region, String detail) {
        Path path = region.path();
        String prefix = "cannot access the file of " + name + ": ";
        if (path == null) {
            return prefix + "the application's mapping faulted, its file truncated? (" + detail + ")";
        }
        try {
            if (!Files.exists(path)) {
                return prefix + "it was removed while mapped";
            }
            long size = Files.size(path);
            if (size < region.size()) {
                return prefix + "it was truncated to " + size + " bytes under a mapping of " + region.size() + " bytes";
            }
            long free = Files.getFileStore(path).getUsableSpace();
            if (free < NEARLY_FULL) {
                return prefix + "its filesystem is full (" + free + " bytes free)";
            }
        } catch (IOException ignored) {
            // fall through to the general description
        }
        return prefix + "truncated, or disk full? (" + detail + ")";
    }
}
