package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.SyncJob.Direction;
import dev.deltasync.sync.region.PageCache;
import dev.deltasync.sync.trust.MappedWriterMain;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustStamp;
import dev.deltasync.sync.trust.TrustedTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A push source that trusts its own last scan (PROTOCOL.md §9.7) over real files, processes and loopback: an
 * unchanged file is not hashed again, on either side; a write through a mapping that moved no file time is never
 * missed; {@code verify} (REHASH) makes both sides hash whatever they trust.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TrustedSourceTest extends LoopbackFixture {
    private static final int CHUNK = 4096;
    private static final int SIZE = 256 * CHUNK;
    /** A page well inside the file: the pass's O_DIRECT read of the first block writes back only the first. */
    private static final long PAGE = 100L * CHUNK + 7;

    /** Counts each side's hashing. */
    private static final class Watch implements SyncListener {
        final AtomicLong replicaHashing = new AtomicLong();

        @Override
        public void hashing(String region, Side side, long done, long total) {
            if (side == Side.REPLICA) {
                replicaHashing.incrementAndGet();
            }
        }
    }

    private final Watch watch = new Watch();

    private void serveWatched(Path replica) throws Exception {
        server = SyncServer.start("127.0.0.1", 0, List.of(new ExposedRegion("vm", replica, false)),
                ServerOptions.defaults(), watch);
        client = SyncClient.connect("127.0.0.1", server.port(), Security.insecure())
                .rememberingTablesIn(dir.resolve("memory")).trustingSourcesIn(dir.resolve("sources"));
    }

    private SyncOutcome push(Path source, boolean verify) throws Exception {
        return client.run(new SyncJob(Direction.PUSH, source, "vm"),
                SyncOptions.defaults().withChunkSize(CHUNK).once(true).verifying(verify), SyncListener.SILENT);
    }

    @Test
    void anUnchangedPushHashesNothingOnEitherSideAndVerifyHashesBoth() throws Exception {
        Path source = atRest(randomFile("source.bin", SIZE, 1));
        Path replica = randomFile("replica.bin", SIZE, 2);
        serveWatched(replica);
        SyncOutcome first = push(source, false);
        assertTrue(first.verified());
        assertEquals(SIZE, first.stats().bytesScanned(), "the first push hashes its file");
        assertEquals(1, records().size(), "a scan of a file at rest is recorded");
        TrustedReplicaTest.awaitTrusted(replica);

        watch.replicaHashing.set(0);
        SyncOutcome second = push(source, false);
        assertTrue(second.verified());
        assertEquals(0, second.stats().bytesScanned(), "the source hashed a file unchanged since its trusted scan");
        assertEquals(0, watch.replicaHashing.get(), "the replica hashed although it trusted its table");
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));

        SyncOutcome verified = push(source, true);
        assertTrue(verified.verified());
        assertEquals(SIZE, verified.stats().bytesScanned(), "--verify: the source hashes whatever it trusts");
        assertTrue(watch.replicaHashing.get() > 0, "REHASH: the replica hashes whatever it trusts");

        write(source, 33L * CHUNK + 1);
        atRest(source);
        SyncOutcome changed = push(source, false);
        assertTrue(changed.verified());
        assertEquals(SIZE, changed.stats().bytesScanned(), "a file written since its trusted scan is hashed");
        assertEquals(1, changed.stats().chunksChanged());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
    }

    /**
     * A record that holds for a file's stamp but not for its bytes (whatever made it: a missed write, a bug) is
     * found and discarded by a verifying push, on both sides, and nothing is recorded from that stream.
     */
    @Test
    void aVerifyingPushDiscardsTrustedTablesTheBytesContradict() throws Exception {
        Path source = atRest(randomFile("source.bin", SIZE, 5));
        Path replica = randomFile("replica.bin", SIZE, 6);
        serveWatched(replica);
        assertTrue(push(source, false).verified());
        TrustedReplicaTest.awaitTrusted(replica);
        DigestTable wrong = DigestTable.create(HashAlgorithm.XXH3_128, SIZE, CHUNK); // all digests 0: no bytes' table
        Path sourceRecord = records().getFirst();
        String name = sourceRecord.getFileName().toString();
        TrustFile.write(sourceRecord.resolveSibling(name.substring(0, name.length() - ".deltasync-trust".length())),
                new TrustedTable(wrong, TrustStamp.of(source)));
        TrustFile.write(replica, new TrustedTable(wrong, TrustStamp.of(replica)));

        SyncOutcome verified = push(source, true);
        assertTrue(verified.verified());
        assertEquals(SIZE, verified.stats().bytesScanned());
        assertTrue(TrustFile.read(replica, HashAlgorithm.XXH3_128, CHUNK, SIZE).isEmpty(),
                "the replica's contradicted table is discarded");
        SyncOutcome next = push(source, false);
        assertEquals(SIZE, next.stats().bytesScanned(), "the source's contradicted table is discarded");
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
    }

    /**
     * Another process holds a page of the source dirty and writable in its shared mapping: its second write into
     * that page takes no fault and moves no file time, so the file's stamp cannot show it. A scan that started with
     * that page dirty must not be trusted (cachestat), or the next push would take the old table and not send it.
     */
    @Test
    void aWriteIntoAPageAMappingHoldsDirtyIsNeverMissed() throws Exception {
        Path source = atRest(randomFile("source.bin", SIZE, 3));
        assumeTrue(PageCache.of(source).isPresent(), "no cachestat here: nothing is trusted, nothing to show");
        Path replica = randomFile("replica.bin", SIZE, 4);
        serveWatched(replica);
        String launcher = ProcessHandle.current().info().command().orElse("java");
        Process writer = new ProcessBuilder(launcher, "-cp", System.getProperty("java.class.path"),
                MappedWriterMain.class.getName(), source.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader answers = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter orders = new PrintWriter(writer.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("mapped", answers.readLine());
            orders.println(PAGE + " 1"); // a write fault: the times move, the page is dirty and writable from here on
            assertEquals("ok", answers.readLine());
            TrustedReplicaTest.awaitSettled(source);
            assertTrue(push(source, false).verified());
            assertEquals(1, Files.readAllBytes(replica)[(int) PAGE]);
            assertEquals(0, records().size(), "a scan that began with a dirty page was trusted");
            TrustStamp afterScan = TrustStamp.of(source);

            orders.println(PAGE + " 2"); // into the dirty, writable page: no fault
            assertEquals("ok", answers.readLine());
            boolean stampBlind = TrustStamp.of(source).equals(afterScan);

            SyncOutcome next = push(source, false);
            assertTrue(next.verified());
            assertEquals(2, Files.readAllBytes(replica)[(int) PAGE], "a write the file's times did not show was missed");
            assertEquals(SIZE, next.stats().bytesScanned());
            assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(replica));
            // What makes the case: had writeback cleaned the page between the writes, the second would have faulted
            // and moved the times, and a stamp alone would have seen it too.
            assumeTrue(stampBlind, "the page was written back between the writes: the second write moved the times");
        } finally {
            writer.destroy();
            writer.waitFor();
        }
    }

    /** Writes the file back and waits until its change time is no longer racy: a file at rest. */
    private static Path atRest(Path file) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(false);
        }
        TrustedReplicaTest.awaitSettled(file);
        return file;
    }

    private List<Path> records() throws IOException {
        Path records = dir.resolve("sources");
        if (!Files.isDirectory(records)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(records)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".deltasync-trust")).toList();
        }
    }

    private static void write(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x11, 0x22, 0x33}), offset);
        }
    }
}
