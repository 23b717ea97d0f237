package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.trust.DirectWriterMain;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustStamp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Adversarial review: writes a source's stamp cannot show, after which a push trusts its last scan. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SourceTrustHolesTest extends LoopbackFixture {
    private static final int CHUNK = 4096;
    private static final int SIZE = 256 * CHUNK;
    private static final long OFFSET = 100L * CHUNK;
    private static final int LENGTH = 16 * CHUNK;

    private void serve(Path replica) throws Exception {
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("vm", replica, false)),
                ServerOptions.defaults(), SyncListener.SILENT);
        client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())
                .rememberingTablesIn(dir.resolve("memory")).trustingSourcesIn(dir.resolve("sources"));
    }

    private SyncOutcome push(Path source) throws Exception {
        return client.run(new SyncJob(Direction.PUSH, source, "vm"),
                SyncOptions.defaults().withChunkSize(CHUNK).once(true), SyncListener.SILENT);
    }

    /**
     * An O_DIRECT overwrite in flight across the trust pass: it moved the times before the pass's first stamp (long
     * enough before to be out of the racy margin), holds only the shared inode lock (so the pass's O_DIRECT read
     * does not wait for it), and dirties no page (cachestat is clean). Its bytes land after the pass with no time
     * update, and the next push takes the recorded table: the replica is told it holds bytes it does not.
     */
    @Test
    void aDirectWriteInFlightAcrossTheTrustPassIsNeverMissed() throws Exception {
        Path source = randomFile("source.bin", SIZE, 11);
        try (FileChannel channel = FileChannel.open(source, StandardOpenOption.WRITE)) {
            channel.force(false);
        }
        Path replica = randomFile("replica.bin", SIZE, 12);
        serve(replica);
        String launcher = ProcessHandle.current().info().command().orElse("java");
        Process writer = new ProcessBuilder(launcher, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), DirectWriterMain.class.getName(), source.toString(),
                Long.toString(OFFSET), Integer.toString(LENGTH), "66")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader answers = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter orders = new PrintWriter(writer.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("blocked", answers.readLine(), "the O_DIRECT write did not start");
            TrustedReplicaTest.awaitSettled(source); // its time update is out of the racy margin
            assertTrue(push(source).verified());
            TrustStamp afterScan = TrustStamp.of(source);

            orders.println("go");
            assertEquals("written " + LENGTH, answers.readLine());
            assertEquals(66, Files.readAllBytes(source)[(int) OFFSET], "the write landed");
            System.err.println("stamp unchanged by the landed write: " + TrustStamp.of(source).equals(afterScan));

            SyncOutcome next = push(source);
            assertTrue(next.verified());
            System.err.println("second push hashed " + next.stats().bytesScanned() + " bytes");
            assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica),
                    "VERIFIED, but the replica does not hold the source's bytes");
        } finally {
            writer.destroy();
            writer.waitFor();
        }
    }

    /**
     * The same write into a replica, by someone else: the replica's trust pass (fdatasync, cachestat clean, equal
     * stamps) hashes the old bytes, and the next push takes the trusted table: VERIFIED for bytes it does not hold.
     */
    @Test
    void aDirectWriteInFlightAcrossTheReplicasTrustPassIsNeverMissed() throws Exception {
        Path source = randomFile("source.bin", SIZE, 13);
        Path replica = Files.copy(source, dir.resolve("replica.bin"));
        try (FileChannel channel = FileChannel.open(replica, StandardOpenOption.WRITE)) {
            channel.force(false);
        }
        serve(replica);
        Process writer = startWriter(replica);
        try (BufferedReader answers = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter orders = new PrintWriter(writer.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("blocked", answers.readLine(), "the O_DIRECT write did not start");
            TrustedReplicaTest.awaitSettled(replica);
            assertTrue(push(source).verified());
            assertFalse(recordedWithin(replica, TimeUnit.SECONDS.toNanos(10)), // the stream's pass, or the idle one
                    "a table trusted while another process had the replica open for writing");

            orders.println("go");
            assertEquals("written " + LENGTH, answers.readLine());
            assertEquals(66, Files.readAllBytes(replica)[(int) OFFSET], "the write landed");

            SyncOutcome next = push(source);
            assertTrue(next.verified());
            assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica),
                    "VERIFIED, but the replica does not hold the source's bytes");
        } finally {
            writer.destroy();
            writer.waitFor();
        }
    }

    /** True once a trusted table of the replica is recorded beside it, looking for {@code nanos}. */
    private static boolean recordedWithin(Path replica, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (System.nanoTime() - deadline < 0) {
            if (TrustFile.read(replica, HashAlgorithm.XXH3_128, CHUNK, SIZE).isPresent()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static Process startWriter(Path file) throws Exception {
        String launcher = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(launcher, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), DirectWriterMain.class.getName(), file.toString(),
                Long.toString(OFFSET), Integer.toString(LENGTH), "66")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
