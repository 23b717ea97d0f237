package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.await;
import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One file, one writer (issue 8, finding 1), with real processes: a second stream writing a file that a
 * stream already writes is refused at once, whichever name it uses for the file, and the first one's replica
 * and its recorded state stay true.
 */
@Timeout(180)
class ExclusiveFilesE2eTest extends ProcessTest {
    private static final long MIB = 1024 * 1024;
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final Duration POLL = Duration.ofMillis(200);

    /** The exact scenario of the issue: a following pull, then a pull --once of another region into its file. */
    @Test
    void aSecondPullIntoAFollowedReplicaIsRefusedAndTheReplicaStaysTrue() throws Exception {
        Path s1 = dir.resolve("s1.bin");
        Path s2 = dir.resolve("s2.bin");
        ProcessHarness.randomFile(s1, 4 * MIB, 1);
        ProcessHarness.randomFile(s2, 4 * MIB, 2);
        Path replica = dir.resolve("f.bin");
        Server server = harness.serve(START, "--region", "s1=" + s1 + ":ro", "--region", "s2=" + s2 + ":ro",
                "--interval", "200ms");
        Proc follower = harness.deltasync("follow", "pull", server.address("s1"), replica.toString(),
                "--interval", "200ms");
        awaitIdentical(s1, replica, follower);

        Proc second = harness.run(RUN, "second", "pull", server.address("s2"), replica.toString(), "--once");
        assertEquals(3, second.process().exitValue(), "a second writer must be refused" + second.tails());
        assertEquals("deltasync pull: s2 -> " + replica + ": " + replica
                        + " is being written by another deltasync stream (pid " + follower.process().pid() + ")",
                second.stderr().strip(), second.tails());
        assertTrue(identical(s1, replica), "the refused pull wrote into the replica: " + describeMismatch(s1, replica));

        Proc writer = harness.writer(s1, 1, 200, 7);
        assertEquals(0, harness.awaitExit(writer, RUN), writer.tails());
        awaitIdentical(s1, replica, follower);
        // Truthful status: whenever it says verified, the bytes match.
        await(CONVERGE, POLL, () -> {
            Proc status = runQuietly("status", "status", replica.toString(), "--verify");
            assertFalse(status.stdout().contains("DIFFERS"), "status claims a state the bytes do not have"
                    + status.tails() + follower.tails());
            return status.process().exitValue() == 0 && status.stdout().contains("verified at epoch");
        }, () -> "status never said verified" + follower.tails());
        assertTrue(follower.alive(), "the first pull must keep following" + follower.tails());
    }

    /** Two names of one file, and a hard link to it, are one file: one push at a time. */
    @Test
    void aliasesAndHardLinksOfOneRegionFileShareOnePushClaim() throws Exception {
        Path first = dir.resolve("first.bin");
        Path other = dir.resolve("other.bin");
        ProcessHarness.randomFile(first, 4 * MIB, 3);
        ProcessHarness.randomFile(other, 4 * MIB, 4);
        Path target = dir.resolve("target.bin");
        ProcessHarness.randomFile(target, 4 * MIB, 5);
        Path hardLink = Files.createLink(dir.resolve("hardlink.bin"), target);
        Server server = harness.serve(START, "--region", "a=" + target + ":rw", "--region", "b=" + target + ":rw",
                "--region", "c=" + hardLink + ":rw");
        Proc push = harness.deltasync("push-a", "push", first.toString(), server.address("a"), "--interval", "200ms");
        awaitIdentical(first, target, push);

        for (String alias : List.of("b", "c")) {
            Proc second = harness.run(RUN, "push-" + alias, "push", other.toString(), server.address(alias), "--once");
            assertEquals(3, second.process().exitValue(), "push into " + alias + second.tails()
                    + server.proc().tails());
            assertTrue(second.stderr().contains("region '" + alias + "' is already being pushed into: its file is"
                    + " being written by another deltasync stream"), second.tails());
        }
        assertTrue(identical(first, target), "a refused push wrote into the region: " + describeMismatch(first, target));
        assertTrue(push.alive(), push.tails());
    }

    /** A local pull and a push of the same file, in two processes: the file cannot be source and replica at once. */
    @Test
    void aFileBeingPulledIntoCannotBePushedFromAnotherProcess() throws Exception {
        Path served = dir.resolve("served.bin");
        ProcessHarness.randomFile(served, 4 * MIB, 6);
        Path replica = dir.resolve("replica.bin");
        Server server = harness.serve(START, "--region", "s=" + served + ":ro", "--region",
                "r=" + dir.resolve("elsewhere.bin") + ":rw", "--interval", "200ms");
        Proc follower = harness.deltasync("follow", "pull", server.address("s"), replica.toString());
        awaitIdentical(served, replica, follower);
        Proc push = harness.run(RUN, "push", "push", replica.toString(), server.address("r"), "--once");
        assertEquals(3, push.process().exitValue(), push.tails());
        assertTrue(push.stderr().contains(replica + " is being written by another deltasync stream (pid "
                + follower.process().pid() + ")"), push.tails());
    }

    private Proc runQuietly(String name, String... args) {
        try {
            return harness.run(RUN, name, args);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void awaitIdentical(Path source, Path replica, Proc client) throws InterruptedException {
        await(CONVERGE, POLL, () -> {
            assertTrue(client.alive(), "client exited" + client.tails());
            return identical(source, replica);
        }, () -> describeMismatch(source, replica) + harness.allTails());
    }
}
