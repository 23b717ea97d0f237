package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenWritersTest {
    @TempDir
    Path dir;

    @Test
    void aFileNobodyHasOpenForWritingIsSeenSo() throws IOException {
        Path file = Files.write(dir.resolve("f.bin"), new byte[4096]);
        Optional<OpenWriters.NoneAt> probed = OpenWriters.probe(file);
        assumeTrue(probed.isPresent(), "this kernel or file system grants no read lease here");
        assertEquals(FileIdentity.of(file), probed.get().file());
    }

    @Test
    void aFileAnotherProcessHasOpenForWritingIsNot() throws Exception {
        Path file = Files.write(dir.resolve("f.bin"), new byte[4096]);
        assumeTrue(OpenWriters.probe(file).isPresent(), "this kernel or file system grants no read lease here");
        Process writer = new ProcessBuilder("sh", "-c", "exec 3>>\"$0\"; echo open; read line", file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader answers = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("open", answers.readLine());
            assertTrue(OpenWriters.probe(file).isEmpty(), "a read lease was granted on a file open for writing");
        } finally {
            writer.destroy();
            writer.waitFor();
        }
        assertTrue(OpenWriters.probe(file).isPresent(), "the writer is gone: nobody has it open for writing");
    }

    /**
     * A writer opening the file while the probe holds its lease breaks the lease, and the kernel signals this
     * process (SIGIO unless told otherwise, which would end the JVM): this process goes on, and so does the writer.
     */
    @Test
    void aWriterOpeningWhileTheLeaseIsHeldEndsNeitherProcess() throws Exception {
        Path file = Files.write(dir.resolve("f.bin"), new byte[4096]);
        String inode = ":" + FileIdentity.of(file).inode() + " ";
        String pid = " " + ProcessHandle.current().pid() + " ";
        Process[] writer = new Process[1];
        Optional<OpenWriters.NoneAt> probed = OpenWriters.whileLeased(file, () -> {
            try {
                writer[0] = new ProcessBuilder("sh", "-c", "printf x >>\"$0\"", file.toString()).start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (Files.readAllLines(Path.of("/proc/locks")).stream()
                        .noneMatch(l -> l.contains("BREAKING") && l.contains(inode) && l.contains(pid))) {
                    assertTrue(System.nanoTime() < deadline, "the writer's open never broke the lease");
                    Thread.sleep(10);
                }
                Thread.sleep(200); // the signal is sent as the lease breaks: give it time to be delivered
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assumeTrue(probed.isPresent(), "this kernel or file system grants no read lease here");
        assertTrue(writer[0].waitFor(60, TimeUnit.SECONDS), "the writer's open still waits for the lease");
        assertEquals(0, writer[0].exitValue());
        assertEquals(4097, Files.size(file), "the writer wrote after the lease was dropped");
    }
}
