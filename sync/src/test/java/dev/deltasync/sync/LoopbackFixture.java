package dev.deltasync.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A server and a connected client on 127.0.0.1 over real files in a temp dir, closed after each test. */
abstract class LoopbackFixture {
    @TempDir
    Path dir;

    SyncServer server;
    SyncClient client;

    @AfterEach
    void closeServerAndClient() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    void serve(ExposedRegion... regions) throws Exception {
        server = SyncServer.start("127.0.0.1", 0, List.of(regions), ServerOptions.defaults(), SyncListener.SILENT);
        client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure());
    }

    Path randomFile(String name, long size, long seed) throws IOException {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new SplittableRandom(seed).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }
}
