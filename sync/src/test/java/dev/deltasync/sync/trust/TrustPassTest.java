package dev.deltasync.sync.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.region.FileSystemType;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.PageCache;
import dev.deltasync.sync.region.RegionAccess;
import dev.deltasync.sync.region.RegionFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table is trusted only after a full pass that no write came between (PROTOCOL.md §9.7). */
class TrustPassTest {
    private static final int CHUNK = 4096;
    /** Four 4 MiB scan batches, so a write can land after the hash has read its page. */
    private static final int SIZE = 16 << 20;
    /** A page in the second batch: written after the first batch is hashed, read by the second. */
    private static final int LATE_PAGE = 5 << 20;
    /** A page in the first batch: written after the hash has read it. */
    private static final int EARLY_PAGE = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aQuietFileIsTrustedForItsStampAndTheTableIsItsBytes() throws Exception {
        Path file = quietFile();
        try (MappedRegion region = RegionFile.forWriting(file).mapResized(SIZE)) { // as a replica's stream opens it
            DigestTable table = table();
            TrustPass.Outcome outcome = pass(region, table, done -> { });
            assertTrue(outcome.trusted(), outcome.whyNot());
            assertArrayEquals(freshRoot(region), table.rootDigest());
            assertTrue(new TrustedTable(table, outcome.stamp().get()).holdsFor(file));
        }
    }

    @Test
    void aWriteDuringThePassIsNotTrusted() throws Exception {
        Path file = quietFile();
        try (MappedRegion region = MappedRegion.openResized(file, SIZE);
             FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
            TrustPass.Outcome outcome = passWritingAfterTheFirstBatch(region, table(), () -> write(other, EARLY_PAGE));
            assertFalse(outcome.trusted(), "a pwrite after the page was hashed, during the pass");
        }
    }

    /**
     * A page another mapping dirtied before the pass stays writable in that mapping: a second write into it moves
     * no time unless the pass wrote it back (write-protecting it) first. The pass must never trust a table that
     * missed such a write.
     */
    @Test
    void aWriteIntoAnAlreadyDirtyPageOfAnotherMappingIsNeverMissed() throws Exception {
        Path file = quietFile();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer other = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            other.put(EARLY_PAGE, (byte) 1); // dirty and writable in the other mapping from here on
            awaitSettled(file);
            try (MappedRegion region = MappedRegion.openResized(file, SIZE)) {
                DigestTable table = table();
                TrustPass.Outcome outcome = passWritingAfterTheFirstBatch(region, table,
                        () -> other.put(EARLY_PAGE, (byte) 2)); // after the hash read it
                assertFalse(outcome.trusted() && !Arrays.equals(freshRoot(region), table.rootDigest()),
                        "trusted a table that missed a write");
                assertFalse(outcome.trusted(), "the second write must fault and move the times");
            }
        }
    }

    /** The same with the mapping held by a second process, which writes before the pass and during it. */
    @Test
    void aWriteIntoAPageAnotherProcessHoldsDirtyIsNeverMissed() throws Exception {
        Path file = quietFile();
        String launcher = ProcessHandle.current().info().command().orElse("java");
        Process writer = new ProcessBuilder(launcher, "-cp", System.getProperty("java.class.path"),
                MappedWriterMain.class.getName(), file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader answers = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter orders = new PrintWriter(writer.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("mapped", answers.readLine());
            orders.println(EARLY_PAGE + " 1"); // dirty and writable in the writer's mapping from here on
            assertEquals("ok", answers.readLine());
            awaitSettled(file);
            try (MappedRegion region = MappedRegion.openResized(file, SIZE)) {
                TrustPass.Outcome outcome = passWritingAfterTheFirstBatch(region, table(), () -> {
                    orders.println(EARLY_PAGE + " 2"); // after the hash read it
                    try {
                        assertEquals("ok", answers.readLine());
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
                assertEquals(2, region.segment().get(ValueLayout.JAVA_BYTE, EARLY_PAGE));
                assertFalse(outcome.trusted(), "a write through another process's writable mapping was missed");
            }
        } finally {
            writer.destroy();
            writer.waitFor();
        }
    }

    /**
     * A source's pass writes nothing back: a page left dirty by a writer that since closed the file refuses trust
     * (cachestat); once written back, the same file is trusted. While a writable mapping of it is open, nothing is
     * (another process has it open for writing).
     */
    @Test
    void aSourcePassTrustsOnlyAFileWithNoPageAwaitingWriteback() throws Exception {
        Path file = quietFile();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             MappedRegion region = MappedRegion.open(file, RegionAccess.READ_ONLY)) {
            Arena arena = Arena.ofShared();
            channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, arena).set(ValueLayout.JAVA_BYTE, LATE_PAGE,
                    (byte) 1);
            awaitSettled(file);
            TrustPass.Outcome open = sourcePass(region, table());
            assertFalse(open.trusted(), "a page dirty and writable in another mapping");
            assertTrue(open.whyNot().contains("open for writing"), open.whyNot());
            arena.close(); // unmapped, and the file closed: the page stays dirty until written back
            channel.close();

            assumeTrue(PageCache.of(file).map(c -> !c.clean()).orElse(false),
                    "writeback cleaned the page already (trusting it would be right)");
            TrustPass.Outcome dirty = sourcePass(region, table());
            assertFalse(dirty.trusted(), "a page not yet written back");
            assertTrue(dirty.whyNot().contains("written back"), dirty.whyNot());
            assertEquals(1, region.segment().get(ValueLayout.JAVA_BYTE, LATE_PAGE), "the pass reads the page");

            try (FileChannel flush = FileChannel.open(file, StandardOpenOption.WRITE)) {
                flush.force(false);
            }
            DigestTable table = table();
            TrustPass.Outcome clean = sourcePass(region, table);
            assertTrue(clean.trusted(), clean.whyNot());
            assertArrayEquals(freshRoot(region), table.rootDigest());
        }
    }

    @Test
    void aChangeJustBeforeThePassIsRacyAndNotTrusted() throws Exception {
        Path file = dir.resolve("racy.bin");
        Files.write(file, new byte[SIZE]);
        try (MappedRegion region = MappedRegion.openResized(file, SIZE);
             FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
            write(other, LATE_PAGE);
            TrustPass.Outcome outcome = pass(region, table(), done -> { });
            assertFalse(outcome.trusted(), "a change within the margin of the pass's start");
            assertTrue(outcome.settledAt() > TrustStamp.of(file).changedNanos());
        }
    }

    @Test
    void anotherBootOrFileSystemIsNotTrusted() throws Exception {
        Path file = quietFile();
        TrustStamp now = TrustStamp.of(file);
        DigestTable table = table();
        assertTrue(new TrustedTable(table, now).holdsFor(file));
        TrustStamp otherBoot = new TrustStamp(now.file(), now.size(), now.modifiedNanos(), now.changedNanos(),
                now.fileSystem(), "00000000-0000-0000-0000-000000000000");
        assertFalse(new TrustedTable(table, otherBoot).holdsFor(file));
        TrustStamp tmpfs = new TrustStamp(now.file(), now.size(), now.modifiedNanos(), now.changedNanos(),
                FileSystemType.TMPFS, now.bootId());
        assertFalse(new TrustedTable(table, tmpfs).holdsFor(file));
    }

    /** Writes through a tmpfs mapping move no time after their first fault: a pass there is never trusted. */
    @Test
    void aPassOnTmpfsIsNotTrusted() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && FileSystemType.of(shm) == FileSystemType.TMPFS, "no tmpfs at /dev/shm");
        Path file = Files.createTempFile(shm, "trust-pass-", ".bin");
        try {
            Files.write(file, new byte[SIZE]);
            awaitSettled(file);
            try (MappedRegion region = MappedRegion.openResized(file, SIZE)) {
                TrustPass.Outcome outcome = pass(region, table(), done -> { });
                assertFalse(outcome.trusted());
                assertTrue(outcome.whyNot().contains("file system"), outcome.whyNot());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A file of random bytes whose change time is no longer racy. */
    private Path quietFile() throws Exception {
        Path file = Files.createTempFile(dir, "replica-", ".bin");
        byte[] bytes = new byte[SIZE];
        new SplittableRandom(7).nextBytes(bytes);
        Files.write(file, bytes);
        awaitSettled(file);
        return file;
    }

    /** Waits (at most a minute) until the file's change time lies outside the racy margin of the clock. */
    static void awaitSettled(Path file) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (TrustStamp.of(file).racyAt(TrustPass.nowNanos())) {
            assertTrue(System.nanoTime() < deadline, "the file's change time never settled");
            Thread.sleep(20);
        }
    }

    private static void write(FileChannel channel, long offset) {
        try {
            channel.write(ByteBuffer.wrap(new byte[] {(byte) 0x5a, 1, 2, 3}), offset);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static DigestTable table() {
        return DigestTable.create(HashAlgorithm.XXH3_128, SIZE, CHUNK);
    }

    private static TrustPass.Outcome pass(MappedRegion region, DigestTable table, LongConsumer hashed)
            throws IOException {
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 1)) {
            return TrustPass.hash(region, table, scanner, hashed);
        }
    }

    private static TrustPass.Outcome sourcePass(MappedRegion region, DigestTable table) throws Exception {
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 1)) {
            return TrustPass.around(region, () -> scanner.scan(region.segment(), table, region.knownZeros(),
                    done -> { }));
        }
    }

    /** A pass that runs {@code write} once, after its first 4 MiB batch (holding the early page) was hashed. */
    private static TrustPass.Outcome passWritingAfterTheFirstBatch(MappedRegion region, DigestTable table,
                                                                   Runnable write) throws IOException {
        AtomicBoolean written = new AtomicBoolean();
        TrustPass.Outcome outcome = pass(region, table, done -> {
            if (done >= 4 << 20 && written.compareAndSet(false, true)) {
                write.run();
            }
        });
        assertTrue(written.get());
        return outcome;
    }

    private static byte[] freshRoot(MappedRegion region) {
        DigestTable fresh = table();
        try (ParallelScanner scanner = new ParallelScanner(HashAlgorithm.XXH3_128, 1)) {
            scanner.scan(region.segment(), fresh);
        }
        return fresh.rootDigest();
    }
}
