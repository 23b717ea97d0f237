package dev.deltasync.embed;

import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The replica end inside an application: a server on {@code host:port} offering one region, backed by a file,
 * that a {@link Replicator} (or {@code deltasync push}) keeps identical to its source. The application reads the
 * replica by mapping the file itself (read-only, {@code MAP_SHARED}): each epoch's chunks land in the file's
 * pages, and {@link ReplicatorListener#epoch} says when an epoch was verified. The file is locked while a source
 * pushes into it, so a second source is refused.
 *
 * <p>Thread-safe; {@link #close()} stops the server and every stream, from any thread.
 */
public final class Replica implements AutoCloseable {
    private final SyncServer server;

    private Replica(SyncServer server) {
        this.server = server;
    }

    /** The port the server listens on (the one asked for, or the free one picked for port 0). */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    /** Settings for a {@link Replica}; not thread-safe. */
    public static final class Builder {
        private final Path file;
        private final String region;
        private Address address;
        private Security security;
        private ReplicatorListener listener = ReplicatorListener.SILENT;

        Builder(Path file, String region) {
            this.file = Objects.requireNonNull(file, "file");
            this.region = Objects.requireNonNull(region, "region");
        }

        /** Where to listen, {@code host:port} (port 0: any free one), and how to secure connections. Required. */
        public Builder listen(String hostPort, Security security) {
            this.address = Address.parse(hostPort);
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        public Builder listener(ReplicatorListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Starts listening; the file is created at the source's size on the first push.
         *
         * @throws IOException when the address cannot be bound
         */
        public Replica start() throws IOException, InterruptedException {
            if (address == null) {
                throw new IllegalStateException("no address: call listen(\"host:port\", security) first");
            }
            ServerOptions defaults = ServerOptions.defaults();
            ServerOptions options = new ServerOptions(defaults.interval(), defaults.compression(),
                    defaults.scanThreads(), security, defaults.rateLimit(), defaults.reverifyEvery(),
                    defaults.limits());
            return new Replica(SyncServer.start(address.host(), address.port(),
                    List.of(new ExposedRegion(region, file, false)), options, new ListenerBridge(listener)));
        }
    }
}
