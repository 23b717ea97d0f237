package dev.deltasync.sync;

import java.nio.file.Path;

/** One region to keep in step: which way, the local file, and the region's name on the server. */
public record SyncJob(Direction direction, Path localPath, String remoteName) {
    public enum Direction {
        /** The remote region follows the local file. */
        PUSH,
        /** The local file follows the remote region. */
        PULL
    }

    @Override
    public String toString() {
        return direction == Direction.PUSH ? localPath + " -> " + remoteName : remoteName + " -> " + localPath;
    }
}
