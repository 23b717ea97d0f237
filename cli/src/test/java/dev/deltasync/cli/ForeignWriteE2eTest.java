package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.await;
import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import dev.deltasync.sync.ReplicaState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Another program writes into a replica that a continuous pull follows, through its own mapping and with pwrite,
 * while the source stays still: the pull must stop calling the replica verified within a few seconds (its file's
 * times moved), have it repaired by the next epoch, and at no moment claim VERIFIED for a later epoch while the
 * bytes differ: not in its state file, not to {@code status}, not in its --json epoch lines.
 */
class ForeignWriteE2eTest extends ProcessTest {
    private static final long MIB = 1024 * 1024;
    private static final Duration START = Duration.ofSeconds(30);
    /** Identity checks run every second; the rest is process scheduling on a loaded machine. */
    private static final Duration NOTICED_WITHIN = Duration.ofSeconds(5);
    /** Noticed, then an idle epoch (at most 10 s apart) and the repair epoch after it. */
    private static final Duration REPAIRED_WITHIN = Duration.ofSeconds(40);
    private static final Pattern EPOCHS = Pattern.compile("\"epochs\":(\\d+)");

    @Test
    @Timeout(180)
    void writesIntoAFollowedReplicaAreNoticedAndRepairedAndNeverCalledVerifiedMeanwhile() throws Exception {
        Path source = dir.resolve("served.bin");
        Path replica = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(source, 8 * MIB, 7);
        Server server = harness.serve(START, "--region", "s=" + source + ":ro", "--interval", "200ms");
        // --reverify 0s: only the identity check can notice, so this tests that check, not the background pass.
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), replica.toString(), "--json",
                "--reverify", "0s");
        await(Duration.ofSeconds(60), Duration.ofMillis(100), () -> identical(replica, source) && verified(replica),
                () -> describeMismatch(source, replica) + harness.allTails());

        long seed = 1;
        for (String mode : List.of("mmap", "pwrite")) {
            Proc writer = harness.start("write-" + mode, ForeignWriteMain.class.getName(),
                    List.of(mode, replica.toString(), Long.toString(3 * MIB + 100), "5000", Long.toString(seed++)));
            assertEquals(0, harness.awaitExit(writer, Duration.ofSeconds(60)), writer.tails());
            long wroteAt = System.nanoTime();
            // Read once the write is done: epochs the pull verified while the writer's JVM was starting (an idle
            // epoch is due at once after a slow first sync) were verified before the write. An epoch recorded
            // VERIFIED after this, or this one still VERIFIED after NOTICED_WITHIN, is what the test hunts.
            long verifiedBefore = state(replica).orElseThrow().epoch();
            assertTrue(!identical(replica, source), mode + ": the foreign write changed nothing");

            watchUntilRepaired(mode, source, replica, verifiedBefore, wroteAt, pull);

            Proc status = harness.run(Duration.ofSeconds(60), "status-" + mode, "status", replica.toString(), "--verify");
            assertEquals(0, status.process().exitValue(), "repaired and verified" + status.tails());
            await(Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> epochLinesAfter(pull, verifiedBefore).stream().anyMatch(l -> l.contains("\"verified\":true")),
                    () -> "no --json epoch line reports the repair" + pull.tails());
            List<String> after = epochLinesAfter(pull, verifiedBefore);
            assertTrue(after.getFirst().contains("\"verified\":false"),
                    mode + ": the first epoch after the foreign write must report the replica not verified: " + after);
            assertTrue(pull.stderr().contains("was written by another program"),
                    "the pull says why the replica is no longer verified" + pull.tails());
        }
        assertTrue(pull.alive(), "the pull keeps following" + pull.tails());
    }

    /**
     * Polls the state file until it records a later verified epoch, asserting on the way that a stale VERIFIED
     * (the epoch before the write) lasts no longer than {@link #NOTICED_WITHIN}, that no later epoch is recorded
     * VERIFIED while the bytes differ, and that {@code status} never exits 0 for differing bytes.
     */
    private void watchUntilRepaired(String mode, Path source, Path replica, long verifiedBefore, long wroteAt,
                                    Proc pull) throws Exception {
        boolean statusAsked = false;
        while (true) {
            long elapsed = System.nanoTime() - wroteAt;
            Optional<ReplicaState> state = state(replica);
            // Read the state first, then the bytes: nothing but the pull writes now, and it only moves them
            // towards the source, so bytes that differ now differed when the state was read.
            boolean same = identical(replica, source);
            boolean claimsVerified = state.isPresent() && state.get().phase() == ReplicaState.Phase.VERIFIED;
            if (claimsVerified && state.get().epoch() > verifiedBefore) {
                assertTrue(same, mode + ": epoch " + state.get().epoch() + " recorded VERIFIED while the bytes differ: "
                        + describeMismatch(source, replica) + pull.tails());
                return;
            }
            if (claimsVerified && !same && elapsed > NOTICED_WITHIN.toNanos()) {
                fail(mode + ": still VERIFIED at epoch " + verifiedBefore + " " + elapsed / 1_000_000
                        + " ms after a foreign write" + pull.tails());
            }
            if (!claimsVerified && !statusAsked) {
                statusAsked = true;
                Proc status = harness.run(Duration.ofSeconds(60), "status-unverified-" + mode, "status",
                        replica.toString(), "--json");
                if (status.process().exitValue() == 0) {
                    assertTrue(identical(replica, source), mode + ": status exits 0 while the bytes differ"
                            + status.tails());
                } else {
                    assertTrue(status.stdout().contains("\"verified\":false"), status.tails());
                }
            }
            if (elapsed > REPAIRED_WITHIN.toNanos()) {
                fail(mode + ": not repaired within " + REPAIRED_WITHIN + ", state " + state
                        + ", " + describeMismatch(source, replica) + pull.tails());
            }
            Thread.sleep(20);
        }
    }

    /** The pull's --json epoch lines for epochs after {@code epoch} (its stats count epochs from 1). */
    private static List<String> epochLinesAfter(Proc pull, long epoch) {
        return pull.stdout().lines().filter(line -> line.contains("\"type\":\"epoch\"")).filter(line -> {
            Matcher m = EPOCHS.matcher(line);
            return m.find() && Long.parseLong(m.group(1)) > epoch;
        }).toList();
    }

    private static boolean verified(Path replica) {
        return state(replica).map(s -> s.phase() == ReplicaState.Phase.VERIFIED).orElse(false);
    }

    /** The state file, or empty while it cannot be read (it is replaced atomically, so only before it exists). */
    private static Optional<ReplicaState> state(Path replica) {
        try {
            return ReplicaState.read(replica);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
