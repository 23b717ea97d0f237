package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.region.RegionFileException.Problem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RegionFileTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private Path file(String name, int size) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, new byte[size]);
        return file;
    }

    private static RegionFileException refused(Problem problem, RegionFileTest.Open open) {
        RegionFileException e = assertThrows(RegionFileException.class, open::run);
        assertEquals(problem, e.problem(), e.getMessage());
        return e;
    }

    interface Open {
        void run() throws IOException;
    }

    @Test
    void aSecondWriterInThisProcessIsRefusedNamingTheFileAndThePid() throws IOException {
        Path f = file("f.bin", 4096);
        try (RegionFile first = RegionFile.forWriting(f)) {
            RegionFileException e = refused(Problem.BUSY, () -> RegionFile.forWriting(f).close());
            assertEquals(f + " is being written by another deltasync stream (pid " + PID + ")", e.getMessage());
            assertEquals(Optional.of(PID), e.holderPid());
        }
        RegionFile.forWriting(f).close(); // released with the first
    }

    @Test
    void aHardLinkIsTheSameFileAndSharesTheLock() throws IOException {
        Path f = file("f.bin", 4096);
        Path link = Files.createLink(dir.resolve("link.bin"), f);
        try (RegionFile first = RegionFile.forWriting(f)) {
            assertEquals(first.identity(), FileIdentity.of(link));
            refused(Problem.BUSY, () -> RegionFile.forWriting(link).close());
            refused(Problem.BUSY, () -> RegionFile.forReading(link).close());
        }
    }

    @Test
    void readersShareAndKeepWritersOut() throws IOException {
        Path f = file("f.bin", 4096);
        try (RegionFile a = RegionFile.forReading(f); RegionFile b = RegionFile.forReading(f)) {
            RegionFileException e = refused(Problem.BUSY, () -> RegionFile.forWriting(f).close());
            assertTrue(e.getMessage().contains("is being read by another deltasync stream (pid " + PID + ")"),
                    e.getMessage());
        }
    }

    /** The POSIX-lock pitfall: closing any other descriptor of the file in this process must not drop our lock. */
    @Test
    void closingAnotherDescriptorOfTheFileKeepsTheLock() throws IOException {
        Path f = file("f.bin", 4096);
        try (RegionFile held = RegionFile.forWriting(f)) {
            try (FileChannel other = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                other.size();
            }
            refused(Problem.BUSY, () -> RegionFile.forWriting(f).close());
            refused(Problem.BUSY, () -> RegionFile.forWriting(f).close()); // and a refused open's close neither
        }
    }

    @Test
    void anotherProcessHoldingTheFileIsNamedByItsPid() throws Exception {
        Path f = file("f.bin", 4096);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName(), f.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertEquals("locked " + holder.pid(), line);
            RegionFileException e = refused(Problem.BUSY, () -> RegionFile.forWriting(f).close());
            assertEquals(f + " is being written by another deltasync stream (pid " + holder.pid() + ")",
                    e.getMessage());
            refused(Problem.BUSY, () -> RegionFile.forReading(f).close());
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(20, TimeUnit.SECONDS));
        }
        RegionFile.forWriting(f).close(); // the holder's exit released it
    }

    @Test
    void aSymlinkIsRefusedAndItsTargetUntouched() throws IOException {
        byte[] secret = "secret bytes".getBytes(StandardCharsets.UTF_8);
        Path target = dir.resolve("secret");
        Files.write(target, secret);
        Path link = Files.createSymbolicLink(dir.resolve("region.bin"), target);
        RegionFileException e = refused(Problem.SYMLINK, () -> RegionFile.forReading(link).close());
        assertEquals(link + " is a symbolic link, which deltasync does not follow", e.getMessage());
        refused(Problem.SYMLINK, () -> RegionFile.forWriting(link).close());
        refused(Problem.SYMLINK, () -> RegionFile.sizeIfExists(link));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.bin"), dir.resolve("nowhere"));
        refused(Problem.SYMLINK, () -> RegionFile.forWriting(dangling).close());
        assertFalse(Files.exists(dir.resolve("nowhere")), "creating through a dangling link");
        assertArrayEquals(secret, Files.readAllBytes(target));
    }

    @Test
    void whatIsNotARegularFileIsRefusedWithItsKind() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("adir"));
        assertEquals(directory + " is a directory",
                refused(Problem.IS_DIRECTORY, () -> RegionFile.forReading(directory).close()).getMessage());
        refused(Problem.IS_DIRECTORY, () -> RegionFile.forWriting(directory).close());
        refused(Problem.IS_DIRECTORY, () -> RegionFile.sizeIfExists(directory));

        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // Opening a FIFO for reading would wait for a writer: it must be refused at once instead.
        assertEquals(fifo + " is not a regular file but a FIFO",
                refused(Problem.NOT_REGULAR_FILE, () -> RegionFile.forReading(fifo).close()).getMessage());
        refused(Problem.NOT_REGULAR_FILE, () -> RegionFile.forWriting(fifo).close());
        refused(Problem.NOT_REGULAR_FILE, () -> RegionFile.sizeIfExists(fifo));

        Path devNull = Path.of("/dev/null");
        assertEquals("/dev/null is not a regular file but a character device",
                refused(Problem.NOT_REGULAR_FILE, () -> RegionFile.forWriting(devNull).close()).getMessage());
    }

    @Test
    void aMissingFileOrDirectoryIsNamed() throws IOException {
        Path missing = dir.resolve("missing.bin");
        assertEquals(missing + " does not exist",
                refused(Problem.NO_SUCH_FILE, () -> RegionFile.forReading(missing).close()).getMessage());
        Path nowhere = dir.resolve("no/such/dir/f.bin");
        assertEquals(nowhere + " cannot be created: no such directory " + nowhere.getParent(),
                refused(Problem.NO_SUCH_DIRECTORY, () -> RegionFile.forWriting(nowhere).close()).getMessage());
        refused(Problem.NO_SUCH_DIRECTORY, () -> RegionFile.check(nowhere, RegionAccess.READ_WRITE));
        RegionFile.check(missing, RegionAccess.READ_WRITE); // creatable
        assertFalse(Files.exists(missing), "check creates nothing");
    }

    @Test
    void aWriterCreatesAMissingFileAndSaysSo() throws IOException {
        Path f = dir.resolve("new.bin");
        try (RegionFile file = RegionFile.forWriting(f)) {
            assertTrue(file.created());
            try (MappedRegion region = file.mapResized(8192)) {
                assertEquals(8192, region.size());
            }
        }
        try (RegionFile again = RegionFile.forWriting(f)) {
            assertFalse(again.created());
            assertEquals(8192, again.size());
        }
    }

    @Test
    void aCreatedFileThatCannotBeMappedIsRemovedAgain() throws IOException {
        Path f = dir.resolve("too-big.bin");
        RegionFile file = RegionFile.forWriting(f);
        assertTrue(file.created());
        assertThrows(IOException.class, () -> file.mapResized(1L << 62)); // beyond any file system's limit
        assertFalse(Files.exists(f, LinkOption.NOFOLLOW_LINKS), "a 0-byte file left behind would be refused later");
    }

    @Test
    void anExistingFileThatCannotBeMappedLargerIsKept() throws IOException {
        Path f = dir.resolve("kept.bin");
        Files.write(f, new byte[4096]);
        RegionFile file = RegionFile.forWriting(f);
        assertFalse(file.created());
        assertThrows(IOException.class, () -> file.mapResized(1L << 62));
        assertEquals(4096, Files.size(f));
    }

    @Test
    void closingTheMappingReleasesTheLock() throws IOException {
        Path f = file("f.bin", 4096);
        MappedRegion region = RegionFile.forWriting(f).map();
        refused(Problem.BUSY, () -> RegionFile.forWriting(f).close());
        region.close();
        RegionFile.forWriting(f).close();
    }

    @Test
    void theHolderIsFoundInProcLocksByDeviceAndInode() {
        FileIdentity file = new FileIdentity((8L << 8) | 1, 1234567);
        List<String> lines = List.of("1: POSIX  ADVISORY  WRITE 11 08:01:1234567 0 EOF",
                "2: FLOCK  ADVISORY  READ 22 08:02:1234567 0 EOF",
                "3: FLOCK  ADVISORY  WRITE 33 08:01:1234567 0 EOF",
                "3: -> FLOCK  ADVISORY  WRITE 44 08:01:1234567 0 EOF");
        assertEquals(Optional.of(new LockHolders.Holder(33, true)), LockHolders.find(lines, file));
        assertEquals(Optional.of(new LockHolders.Holder(22, false)), LockHolders.find(lines.subList(0, 2), file),
                "by inode where the device differs");
        assertEquals(Optional.empty(), LockHolders.find(lines.subList(0, 1), file));
    }
}
