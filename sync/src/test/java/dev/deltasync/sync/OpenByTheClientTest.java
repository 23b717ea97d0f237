package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.mux.MuxServer;
import dev.deltasync.mux.StreamClosedException;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What SyncClient puts in OPEN and how it takes OPEN_OK (PROTOCOL.md §5.3), against a scripted server. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenByTheClientTest {
    @TempDir
    Path dir;

    @Test
    void aPullIntoAMissingFileAnnouncesTheResizeItWillDo() throws Exception {
        CompletableFuture<Open> seen = new CompletableFuture<>();
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults(), stream -> {
                 seen.complete((Open) stream.receive());
                 stream.reset(ErrorCode.UNKNOWN_REGION, "scripted");
             });
             SyncClient client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())) {
            SyncJob job = new SyncJob(SyncJob.Direction.PULL, dir.resolve("missing.bin"), "r");
            assertThrows(SyncException.class, () -> client.run(job, SyncOptions.defaults().once(true),
                    SyncListener.SILENT));
            Open open = seen.get(10, TimeUnit.SECONDS);
            assertEquals(0, open.regionSize());
            assertTrue(open.allowResize(), "the client will create the file at the region's size: a resize from 0");
        }
    }

    @Test
    void aPushWhoseOpenOkNamesAnotherSizeIsResetWithSizeMismatch() throws Exception {
        CompletableFuture<Integer> resetCode = new CompletableFuture<>();
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults(), stream -> {
                 Open open = (Open) stream.receive();
                 stream.send(new OpenOk(stream.id(), open.regionSize() + 4096, open.chunkSize(), open.hashId()));
                 try {
                     while (true) {
                         stream.receive(Duration.ofSeconds(10));
                     }
                 } catch (StreamClosedException e) {
                     resetCode.complete(e.code());
                 }
             });
             SyncClient client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())) {
            Path source = java.nio.file.Files.write(dir.resolve("source.bin"), new byte[3 * 4096]);
            SyncJob job = new SyncJob(SyncJob.Direction.PUSH, source, "r");
            SyncException e = assertThrows(SyncException.class, () -> client.run(job,
                    SyncOptions.defaults().once(true), SyncListener.SILENT));
            assertEquals(ErrorCode.SIZE_MISMATCH, e.code());
            assertEquals(ErrorCode.SIZE_MISMATCH.code(), resetCode.get(10, TimeUnit.SECONDS));
        }
    }
}
