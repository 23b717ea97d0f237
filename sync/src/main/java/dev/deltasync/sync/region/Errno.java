package dev.deltasync.sync.region;

import java.util.Map;

/** Names for the errno values msync can return, so an error message says more than a number. */
final class Errno {
    private static final Map<Integer, String> NAMES = Map.of(
            5, "EIO (I/O error writing the pages)",
            12, "ENOMEM (range not mapped)",
            16, "EBUSY (range is locked)",
            22, "EINVAL (address not page-aligned or bad flags)",
            28, "ENOSPC (no space left on device)");

    private Errno() {}

    static String describe(int errno) {
        return "errno " + errno + " " + NAMES.getOrDefault(errno, "(unknown)");
    }
}
