package dev.deltasync.sync.region;

import java.util.Map;

/** The Linux errno values this package acts on, and names for them, so a message says more than a number. */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EWOULDBLOCK = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int ENOSYS = 38;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int ELOOP = 40;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM (operation not permitted)"),
            Map.entry(5, "EIO (I/O error)"),
            Map.entry(12, "ENOMEM (range not mapped)"),
            Map.entry(EBUSY, "EBUSY (range is locked)"),
            Map.entry(EINVAL, "EINVAL (address not page-aligned or bad flags)"),
            Map.entry(24, "EMFILE (too many open files)"),
            Map.entry(ENOTTY, "ENOTTY (inappropriate ioctl for device)"),
            Map.entry(26, "ETXTBSY (text file busy)"),
            Map.entry(28, "ENOSPC (no space left on device)"),
            Map.entry(30, "EROFS (read-only file system)"),
            Map.entry(37, "ENOLCK (no locks available)"),
            Map.entry(ENOSYS, "ENOSYS (function not implemented)"),
            Map.entry(ELOOP, "ELOOP (too many levels of symbolic links)"),
            Map.entry(95, "EOPNOTSUPP (operation not supported)"));

    private Errno() {}

    static String describe(int errno) {
        return "errno " + errno + " " + NAMES.getOrDefault(errno, "(unknown)");
    }
}
