package dev.deltasync.sync;

/**
 * Touching a page of a mapping whose file was truncated (or whose disk is full) raises SIGBUS, which
 * the JVM turns into an {@link InternalError}. In compiled code it arrives asynchronously, so it can
 * surface anywhere in a source or replica loop, not only in the copy that touched the page: each side
 * catches it once, around its whole loop, and resets the stream with IO_ERROR and this message.
 */
final class RegionFault {
    private RegionFault() {}

    static String describe(String region, InternalError e) {
        return "cannot access the file of " + region + " (truncated, or disk full?): " + e.getMessage();
    }
}
