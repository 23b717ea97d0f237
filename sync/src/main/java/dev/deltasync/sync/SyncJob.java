package dev.deltasync.sync;

import java.nio.file.Path;

/**
 * One region to keep in step: which way, the local file, and the region's name on the server. An embedded job
 * pushes memory the application owns ({@code embedded}, with no {@code localPath}) instead of a file.
 */
public record SyncJob(Direction direction, Path localPath, String remoteName, EmbeddedSource embedded) {
    public enum Direction {
        /** The remote region follows the local file. */
        PUSH,
        /** The local file follows the remote region. */
        PULL
    }

    public SyncJob(Direction direction, Path localPath, String remoteName) {
        this(direction, localPath, remoteName, null);
    }

    /** Pushes an application's own memory into the server's region {@code remoteName}. */
    public static SyncJob pushOf(EmbeddedSource source, String remoteName) {
        return new SyncJob(Direction.PUSH, null, remoteName, source);
    }

    @Override
    public String toString() {
        String local = embedded != null ? "memory" : String.valueOf(localPath);
        return direction == Direction.PUSH ? local + " -> " + remoteName : remoteName + " -> " + local;
    }
}
