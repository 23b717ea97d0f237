package dev.deltasync.sync;

import java.nio.file.Path;

/**
 * One region to keep in step: which way, the local file, and the region's name on the server. An embedded job
 * pushes memory the application owns ({@code embedded}, with no {@code localPath}) instead of a file. A relayed
 * pull tells {@code relay} of every epoch it applies, so that the relay can serve the file onwards.
 */
public record SyncJob(Direction direction, Path localPath, String remoteName, EmbeddedSource embedded, Relay relay) {
    public enum Direction {
        /** The remote region follows the local file. */
        PUSH,
        /** The local file follows the remote region. */
        PULL
    }

    public SyncJob(Direction direction, Path localPath, String remoteName) {
        this(direction, localPath, remoteName, null, null);
    }

    /** Pushes an application's own memory into the server's region {@code remoteName}. */
    public static SyncJob pushOf(EmbeddedSource source, String remoteName) {
        return new SyncJob(Direction.PUSH, null, remoteName, source, null);
    }

    /** Pulls the server's region {@code remoteName} into {@code localPath}, which {@code relay} serves onwards. */
    public static SyncJob relayedPull(Path localPath, String remoteName, Relay relay) {
        return new SyncJob(Direction.PULL, localPath, remoteName, null, relay);
    }

    @Override
    public String toString() {
        String local = embedded != null ? "memory" : String.valueOf(localPath);
        return direction == Direction.PUSH ? local + " -> " + remoteName : remoteName + " -> " + local;
    }
}
