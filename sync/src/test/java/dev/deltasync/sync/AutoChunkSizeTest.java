package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.SyncJob.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The source chooses the chunk size when the client leaves it open (PROTOCOL.md §9.5). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AutoChunkSizeTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"0,4096", "1,4096", "1073741824,4096", "4294967296,4096", "4294967297,8192",
            "17179869184,16384", "1099511627776,1048576", "10995116277760,1048576"})
    void pagesUntilTheTableWouldPassAMillionChunks(long regionSize, int chunkSize) {
        assertEquals(chunkSize, ParameterCheck.autoChunkSize(regionSize));
        if (chunkSize < 1048576) {
            assertTrue((regionSize + chunkSize - 1) / chunkSize <= ParameterCheck.AUTO_MAX_CHUNKS);
        }
    }

    @Test
    void theDefaultsLetTheSourceChooseForPushAndPull() throws Exception {
        byte[] bytes = new byte[3 * 4096 + 100];
        new SplittableRandom(3).nextBytes(bytes);
        Path source = Files.write(dir.resolve("source.bin"), bytes);
        Path pushed = dir.resolve("pushed.bin");
        Path pulled = dir.resolve("pulled.bin");
        try (SyncServer server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("in", pushed, false),
                new ExposedRegion("out", source, true)), ServerOptions.defaults(), SyncListener.SILENT);
             SyncClient client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())) {
            SyncOptions once = SyncOptions.defaults().once(true);
            assertTrue(client.run(new SyncJob(Direction.PUSH, source, "in"), once, SyncListener.SILENT).verified());
            assertTrue(client.run(new SyncJob(Direction.PULL, pulled, "out"), once, SyncListener.SILENT).verified());
        }
        assertEquals(4096, ReplicaState.read(pushed).orElseThrow().chunkSize(), "push: the client chose");
        assertEquals(4096, ReplicaState.read(pulled).orElseThrow().chunkSize(), "pull: the server chose");
        assertEquals(-1, Files.mismatch(source, pulled));
        assertEquals(-1, Files.mismatch(source, pushed));
    }
}
