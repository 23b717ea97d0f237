package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.SyncJob.Direction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica on a really full filesystem: an 8 MiB tmpfs mounted for the test (writing a page of a
 * mapping there raises SIGBUS once the filesystem is full). Needs root; elsewhere the test is skipped
 * and says why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FullDiskTest extends LoopbackFixture {
    private static final long SOURCE_SIZE = 32L << 20;

    private Path small;
    private boolean mounted;

    @BeforeEach
    void mountSmallFilesystem() throws Exception {
        small = Files.createDirectory(dir.resolve("small"));
        String failure = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", small.toString());
        Assumptions.assumeTrue(failure == null, () -> "skipped: cannot mount a small tmpfs here (" + failure + ")");
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            closeServerAndClient(); // nothing may keep the filesystem busy
            String failure = run("umount", small.toString());
            assertEquals(null, failure, "umount " + small);
        }
    }

    @Test
    void aPushIntoAFullFilesystemFailsWithIoErrorAndTheNextPushAfterSpaceIsFreedConverges() throws Exception {
        Path source = randomFile("source.bin", SOURCE_SIZE, 7); // incompressible, 4x the filesystem
        Path replica = small.resolve("replica.bin");
        Path other = randomFile("other.bin", 1 << 20, 8);
        serve(new ExposedRegion("vm", replica, false), new ExposedRegion("other", dir.resolve("other-replica.bin"), false));

        SyncException full = assertThrows(SyncException.class, () -> client.run(
                new SyncJob(Direction.PUSH, source, "vm"), SyncOptions.defaults().once(true), SyncListener.SILENT));
        System.out.println("FullDiskTest: the push into an 8 MiB tmpfs ended with " + full.code() + ": " + full.getMessage());
        assertEquals(ErrorCode.IO_ERROR, full.code(), full.getMessage());
        assertTrue(full.getMessage().contains("its filesystem is full"), full.getMessage());
        ReplicaState.read(replica).ifPresent(state ->
                assertNotEquals(ReplicaState.Phase.VERIFIED, state.phase(), "a full replica must not claim " + state));

        // The server and the connection stay healthy for other regions.
        assertTrue(client.run(new SyncJob(Direction.PUSH, other, "other"), SyncOptions.defaults().once(true),
                SyncListener.SILENT).verified());

        // Space freed (the filesystem grows): the same push converges, byte for byte.
        assertEquals(null, run("mount", "-o", "remount,size=64m", small.toString()), "remount");
        assertTrue(client.run(new SyncJob(Direction.PUSH, source, "vm"), SyncOptions.defaults().once(true),
                SyncListener.SILENT).verified());
        assertTrue(Arrays.equals(Files.readAllBytes(source), Files.readAllBytes(replica)), "replica differs");
        ReplicaState state = ReplicaState.read(replica).orElseThrow();
        assertEquals(ReplicaState.Phase.VERIFIED, state.phase());
        assertArrayEquals(state.rootOfFile(replica, 1), state.root());
    }

    /** Runs a command; null when it succeeded, else what it printed. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return process.waitFor() == 0 ? null : "exit " + process.exitValue() + ": " + output;
    }
}
