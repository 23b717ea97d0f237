package dev.deltasync.sync.region;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A region file cannot be used, and why, as a fact: the {@link Problem} for callers to decide on, and a
 * {@link #predicate()} ("is a directory") that reads after the file's name or after a region's name, so a
 * server can tell a peer about region 'vm' without showing it the path.
 */
public final class RegionFileException extends IOException {
    public enum Problem {
        NO_SUCH_FILE,
        /** The file would be created, but its directory does not exist. */
        NO_SUCH_DIRECTORY,
        PERMISSION_DENIED,
        IS_DIRECTORY,
        /** A FIFO, a device, a socket: nothing that can be mapped and hashed as a region. */
        NOT_REGULAR_FILE,
        /** The last component is a symlink; region files are opened with O_NOFOLLOW. */
        SYMLINK,
        /** Another deltasync stream holds a conflicting lock on the file (see {@link #holderPid()}). */
        BUSY,
        /** Anything else the OS said; {@link #predicate()} carries its words. */
        OTHER
    }

    private final Path path;
    private final Problem problem;
    private final String predicate;
    private final Optional<Long> holderPid;

    RegionFileException(Path path, Problem problem, String predicate) {
        this(path, problem, predicate, Optional.empty());
    }

    RegionFileException(Path path, Problem problem, String predicate, Optional<Long> holderPid) {
        super(path + " " + predicate);
        this.path = path;
        this.problem = problem;
        this.predicate = predicate;
        this.holderPid = holderPid;
    }

    public Path path() {
        return path;
    }

    public Problem problem() {
        return problem;
    }

    /** What is wrong, worded to follow a name: "is a directory", "cannot be opened: permission denied". */
    public String predicate() {
        return predicate;
    }

    /** For {@link Problem#BUSY}: the process holding the lock, when the OS tells (Linux: /proc/locks). */
    public Optional<Long> holderPid() {
        return holderPid;
    }
}
