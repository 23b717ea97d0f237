package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Region files are what they are (issue 8, finding 3; issue 12's file errors), with real processes: a symlink
 * is served only when the operator says so, and then resolved once; a file swapped for a symlink later is
 * refused; serve checks every region before it listens; a bad local file is one line naming it and the cause.
 */
@Timeout(180)
class RegionFilesE2eTest extends ProcessTest {
    private static final long MIB = 1024 * 1024;
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration RUN = Duration.ofSeconds(60);
    /** Nothing listens here; the local checks must refuse before anything connects. */
    private static final String NOWHERE = "127.0.0.1:1/r";

    private Proc run(String name, String... args) throws Exception {
        return harness.run(RUN, name, args);
    }

    /** One line on stderr, the given exit code, no JDK class names. */
    private static void assertOneLine(int code, Proc proc) {
        assertEquals(code, proc.process().exitValue(), proc.tails());
        List<String> lines = proc.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr" + proc.tails());
        assertFalse(proc.stderr().contains("Exception") || proc.stderr().contains("java."), proc.tails());
    }

    @Test
    void aSymlinkRegionIsRefusedAtStartUnlessFollowedAndThenResolvedOnce() throws Exception {
        Path secret = dir.resolve("secret.bin");
        ProcessHarness.randomFile(secret, 1 * MIB, 1);
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), secret);

        Proc refused = run("serve-link", "serve", "--listen", "127.0.0.1:0", "--region", "s=" + link + ":ro");
        assertOneLine(2, refused);
        assertTrue(refused.stderr().contains("region 's': " + link + " is a symbolic link, which deltasync does not"
                + " follow (serve --follow-symlinks s serves its target"), refused.tails());

        Server server = harness.serve(START, "--region", "s=" + link + ":ro", "--follow-symlinks", "s");
        Path pulled = dir.resolve("pulled.bin");
        Proc pull = run("pull", "pull", server.address("s"), pulled.toString(), "--once");
        assertEquals(0, pull.process().exitValue(), pull.tails() + server.proc().tails());
        assertTrue(identical(secret, pulled), describeMismatch(secret, pulled));

        // Resolved once: pointing the link elsewhere afterwards does not redirect the region.
        Path other = dir.resolve("other.bin");
        ProcessHarness.randomFile(other, 1 * MIB, 2);
        Files.delete(link);
        Files.createSymbolicLink(link, other);
        Path again = dir.resolve("again.bin");
        Proc second = run("pull-again", "pull", server.address("s"), again.toString(), "--once");
        assertEquals(0, second.process().exitValue(), second.tails());
        assertTrue(identical(secret, again), describeMismatch(secret, again));
    }

    @Test
    void aRegionFileSwappedForASymlinkAfterStartIsRefused() throws Exception {
        Path served = dir.resolve("served.bin");
        ProcessHarness.randomFile(served, 1 * MIB, 3);
        Path replica = dir.resolve("replica.bin");
        ProcessHarness.randomFile(replica, 1 * MIB, 4);
        Path secret = dir.resolve("secret.bin");
        ProcessHarness.randomFile(secret, 1 * MIB, 5);
        byte[] secretBytes = Files.readAllBytes(secret);
        Server server = harness.serve(START, "--region", "s=" + served + ":ro", "--region", "r=" + replica + ":rw");

        Files.delete(served);
        Files.createSymbolicLink(served, secret);
        Path pulled = dir.resolve("pulled.bin");
        Proc pull = run("pull", "pull", server.address("s"), pulled.toString(), "--once");
        assertOneLine(1, pull);
        assertTrue(pull.stderr().contains("region 's': its file is a symbolic link, which deltasync does not follow"),
                pull.tails());
        assertFalse(Files.exists(pulled) && identical(secret, pulled), "the secret was served through the link");

        Files.delete(replica);
        Files.createSymbolicLink(replica, secret);
        Path source = dir.resolve("source.bin");
        ProcessHarness.randomFile(source, 1 * MIB, 6);
        Proc push = run("push", "push", source.toString(), server.address("r"), "--once");
        assertOneLine(1, push);
        assertTrue(push.stderr().contains("region 'r': its file is a symbolic link"), push.tails());
        assertArrayEquals(secretBytes, Files.readAllBytes(secret), "a push wrote through the link");
    }

    @Test
    void serveChecksEveryRegionBeforeListeningAndListsEveryProblem() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("adir"));
        Path empty = Files.createFile(dir.resolve("empty.bin"));
        Path missing = dir.resolve("missing.bin");
        Path nowhere = dir.resolve("no/such/dir/x.bin");
        Path good = dir.resolve("good.bin");
        ProcessHarness.randomFile(good, 1 * MIB, 7);
        Proc serve = run("serve-bad", "serve", "--listen", "127.0.0.1:0", "--region", "good=" + good,
                "--region", "d=" + directory + ":rw", "--region", "e=" + empty + ":ro", "--region", "m=" + missing,
                "--region", "n=" + nowhere + ":rw", "--region", "new=" + dir.resolve("new.bin") + ":rw");
        assertEquals(2, serve.process().exitValue(), serve.tails());
        assertEquals(List.of(
                        "deltasync serve: region 'd': " + directory + " is a directory (a region is a regular file)",
                        "deltasync serve: region 'e': " + empty + " is empty (a :ro region needs data to serve)",
                        "deltasync serve: region 'm': " + missing + " does not exist (a :ro region must exist; a :rw"
                                + " region is created by the first push)",
                        "deltasync serve: region 'n': " + nowhere + " cannot be created: no such directory "
                                + nowhere.getParent() + " (create the directory first)"),
                serve.stderr().lines().filter(l -> !l.isBlank()).toList(), serve.tails());
        assertFalse(serve.stderr().contains("listening"), serve.tails());
    }

    @Test
    void aBadLocalFileIsOneLineNamingItAndTheCauseBeforeAnythingConnects() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("adir"));
        Proc push = run("push-dir", "push", directory.toString(), NOWHERE, "--once");
        assertOneLine(2, push);
        assertTrue(push.stderr().contains(directory + " is a directory (push takes a regular file)"), push.tails());

        Proc pullDir = run("pull-dir", "pull", NOWHERE, directory.toString(), "--once");
        assertOneLine(2, pullDir);
        assertTrue(pullDir.stderr().contains(directory + " is a directory (pull takes a regular file)"),
                pullDir.tails());

        Proc devNull = run("pull-null", "pull", NOWHERE, "/dev/null", "--once");
        assertOneLine(2, devNull);
        assertTrue(devNull.stderr().contains("/dev/null is not a regular file but a character device"),
                devNull.tails());

        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Proc pullFifo = run("pull-fifo", "pull", NOWHERE, fifo.toString(), "--once");
        assertOneLine(2, pullFifo);
        assertTrue(pullFifo.stderr().contains(fifo + " is not a regular file but a FIFO"), pullFifo.tails());

        Path nowhere = dir.resolve("no/such/dir/f.bin");
        Proc pullNowhere = run("pull-nodir", "pull", NOWHERE, nowhere.toString(), "--once");
        assertOneLine(2, pullNowhere);
        assertTrue(pullNowhere.stderr().contains(nowhere + " cannot be created: no such directory "
                + nowhere.getParent() + " (create the directory first)"), pullNowhere.tails());

        Path target = dir.resolve("target.bin");
        ProcessHarness.randomFile(target, 4096, 8);
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), target);
        Proc pushLink = run("push-link", "push", link.toString(), NOWHERE, "--once");
        assertOneLine(2, pushLink);
        assertTrue(pushLink.stderr().contains(link + " is a symbolic link, which deltasync does not follow"),
                pushLink.tails());

        Proc status = run("status-link", "status", link.toString(), "--verify");
        assertOneLine(2, status);
        assertTrue(status.stderr().contains(link + " is a symbolic link, which deltasync does not follow"),
                status.tails());

        Proc badAccess = run("serve-rx", "serve", "--listen", "127.0.0.1:0", "--region", "x=" + target + ":rx");
        assertOneLine(2, badAccess);
        assertTrue(badAccess.stderr().contains("unknown access 'rx' after the path: use :ro"), badAccess.tails());
    }

    /** Root reads a mode-000 file all the same, so this only shows anything as another user. */
    @Test
    void anUnreadableFileSaysPermissionDenied() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root is never denied a read");
        Path noperm = dir.resolve("noperm.img");
        ProcessHarness.randomFile(noperm, 4096, 9);
        Files.setPosixFilePermissions(noperm, PosixFilePermissions.fromString("---------"));
        Proc push = run("push-noperm", "push", noperm.toString(), NOWHERE, "--once");
        assertOneLine(2, push);
        assertTrue(push.stderr().contains(noperm + " cannot be opened: permission denied"), push.tails());
    }
}
