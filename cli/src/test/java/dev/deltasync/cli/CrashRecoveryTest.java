package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import dev.deltasync.sync.ReplicaState;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the source, the replica or the server at random moments of a sync, then a restart: the next
 * {@code --once} must converge to a verified identical replica, and at no point may a replica's state file
 * claim a verified root its bytes do not have. Each of the four victims is killed once early in a sync and once
 * late (a random moment in each half of {@link #KILL_WINDOW_MILLIS}), so 8 kills cover what 20 random ones did
 * by chance. {@code -Dcrash.iterations=N} and {@code -Dcrash.seed=S} run more or replay one run (the seed is
 * printed).
 */
@Timeout(600)
class CrashRecoveryTest {
    private static final long MIB = 1024 * 1024;
    private static final int PAGE = 4096;
    private static final Duration RUN = Duration.ofSeconds(90);
    /** Kills land within this long after the client started: its start, connection, hashing and chunks. */
    private static final long KILL_WINDOW_MILLIS = 1500;

    /** Who dies, and in which direction the sync was running. */
    private enum Victim { PUSH_SOURCE, PUSH_SERVER_REPLICA, PULL_REPLICA, PULL_SERVER_SOURCE }

    @TempDir
    Path dir;
    private ProcessHarness harness;

    @AfterEach
    void killEverything() throws InterruptedException {
        harness.killAll();
    }

    @Test
    void everyKillIsFollowedByAVerifiedIdenticalReplica() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        int iterations = Integer.getInteger("crash.iterations", 2 * Victim.values().length);
        System.out.println("CrashRecoveryTest seed " + seed + " (-Dcrash.seed=" + seed + " replays it), "
                + iterations + " kills");
        SplittableRandom random = new SplittableRandom(seed);
        Files.createDirectories(dir.resolve("logs"));
        harness = new ProcessHarness(dir.resolve("logs"));
        Path source = dir.resolve("source.bin");
        Path pushed = dir.resolve("pushed.bin");
        Path pulled = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(source, 8 * MIB, seed);
        Server server = serve(source, pushed);

        for (int i = 0; i < iterations; i++) {
            Victim victim = Victim.values()[i % Victim.values().length];
            long half = KILL_WINDOW_MILLIS / 2;
            long delayMillis = (i / Victim.values().length) % 2 * half + random.nextLong(half); // early, then late
            String context = "seed " + seed + ", kill " + i + ": " + victim + " after " + delayMillis + " ms";
            rewritePages(source, random);
            boolean push = victim == Victim.PUSH_SOURCE || victim == Victim.PUSH_SERVER_REPLICA;
            Proc client = push
                    ? harness.deltasync("push-" + i, "push", source.toString(), server.address("pushed"), "--once")
                    : harness.deltasync("pull-" + i, "pull", server.address("source"), pulled.toString(), "--once",
                    "--resize");
            Thread.sleep(delayMillis);
            Proc killed = victim == Victim.PUSH_SOURCE || victim == Victim.PULL_REPLICA ? client : server.proc();
            killed.process().destroyForcibly().waitFor();
            client.process().waitFor();

            Path replica = push ? pushed : pulled;
            assertNoFalseClaim(replica, context);
            if (!server.proc().alive()) {
                server = serve(source, pushed);
            }
            Proc recovery = push
                    ? harness.run(RUN, "push-recover-" + i, "push", source.toString(), server.address("pushed"), "--once")
                    : harness.run(RUN, "pull-recover-" + i, "pull", server.address("source"), pulled.toString(),
                    "--once", "--resize");
            assertEquals(0, recovery.process().exitValue(), context + recovery.tails() + server.proc().tails());
            assertTrue(identical(source, replica), context + ": " + describeMismatch(source, replica));
            ReplicaState state = ReplicaState.read(replica).orElseThrow();
            assertEquals(ReplicaState.Phase.VERIFIED, state.phase(), context);
            assertNoFalseClaim(replica, context);
        }
    }

    /**
     * PROTOCOL.md §9.6: a replica records an epoch's number before its first byte, also when its state says
     * UNVERIFIED (a write by another program was found), so a replica killed mid-epoch never hands that number
     * to its next stream. The epoch is slowed by the server's rate cap, so the kill lands inside it.
     */
    @Test
    @Timeout(240)
    void aReplicaKilledMidEpochAfterAnUnverifiedOneHandsItsNextStreamANewEpochNumber() throws Exception {
        harness = new ProcessHarness(Files.createDirectories(dir.resolve("logs")));
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        ProcessHarness.randomFile(source, 4 * MIB, 41);
        Files.copy(source, replica); // the first epoch sends nothing
        Server server = harness.serve(Duration.ofSeconds(30), "--interval", "200ms", "--max-rate", "256KiB/s",
                "--region", "source=" + source + ":ro");
        Proc pull = harness.deltasync("pull", "pull", server.address("source"), replica.toString(), "--json");
        ProcessHarness.await(RUN, Duration.ofMillis(100), () -> pull.stdout().contains("\"verified\":true"),
                () -> "the pull never verified" + pull.tails());

        flipBytes(replica, 7 * PAGE); // another program's write: the replica finds it and records UNVERIFIED
        long[] pages = new SplittableRandom(42).longs(0, 4 * MIB / PAGE).distinct().limit(512).sorted().toArray();
        // 2 MiB, 8 s at the cap; the lowest page last, so a scan that sees it sees them all, and it is sent first.
        try (MappedRegion region = MappedRegion.open(source, RegionAccess.READ_WRITE)) {
            for (int i = pages.length - 1; i >= 0; i--) {
                RandomFill.fill(region.segment().asSlice(pages[i] * PAGE, PAGE), pages[i]);
            }
        }
        long first = pages[0];
        ProcessHarness.await(RUN, Duration.ofMillis(10), () -> samePage(source, replica, first),
                () -> "the epoch with the new pages never began" + pull.tails());
        pull.process().destroyForcibly().waitFor();

        assertTrue(pull.stderr().contains("was written by another program"), "the replica was UNVERIFIED" + pull.tails());
        // The epoch that sent the first page sent every page not sent before (an earlier scan may have caught some).
        assertTrue(java.util.Arrays.stream(pages).anyMatch(page -> !samePage(source, replica, page)),
                "the kill came before that epoch ended; a slower cap would make sure" + pull.tails());
        long completed = pull.stdout().lines().filter(l -> l.contains("\"type\":\"epoch\""))
                .mapToLong(CrashRecoveryTest::epochOf).max().orElseThrow();
        long killedIn = completed + 1; // lines are printed as epochs end, before the next one's first byte
        ReplicaState state = ReplicaState.read(replica).orElseThrow();
        assertEquals(ReplicaState.Phase.APPLYING, state.phase(), pull.tails());
        assertEquals(killedIn, state.epoch(), "the epoch's number was recorded before its first byte" + pull.tails());
        assertNoFalseClaim(replica, "after the kill");

        Proc next = harness.run(RUN, "pull-again", "pull", server.address("source"), replica.toString(), "--once",
                "--json");
        assertEquals(0, next.process().exitValue(), next.tails());
        long firstAfter = next.stdout().lines().filter(l -> l.contains("\"type\":\"epoch\""))
                .mapToLong(CrashRecoveryTest::epochOf).min().orElseThrow();
        assertTrue(firstAfter > killedIn, "epoch " + killedIn + " had bytes applied before the kill; the next stream"
                + " must not reuse its number, but began at " + firstAfter + next.tails());
        assertTrue(identical(source, replica), describeMismatch(source, replica));
    }

    private static long epochOf(String jsonLine) {
        Matcher m = Pattern.compile("\"epoch\":(\\d+),").matcher(jsonLine);
        assertTrue(m.find(), jsonLine);
        return Long.parseLong(m.group(1));
    }

    private static void flipBytes(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(8);
            channel.read(bytes, offset);
            for (int i = 0; i < 8; i++) {
                bytes.put(i, (byte) ~bytes.get(i));
            }
            channel.write(bytes.flip(), offset);
        }
    }

    private static boolean samePage(Path a, Path b, long page) {
        try (FileChannel one = FileChannel.open(a); FileChannel other = FileChannel.open(b)) {
            ByteBuffer x = ByteBuffer.allocate(PAGE);
            ByteBuffer y = ByteBuffer.allocate(PAGE);
            one.read(x, page * PAGE);
            other.read(y, page * PAGE);
            return x.flip().equals(y.flip());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Server serve(Path source, Path pushed) throws IOException, InterruptedException {
        return harness.serve(Duration.ofSeconds(30), "--interval", "200ms",
                "--region", "source=" + source + ":ro", "--region", "pushed=" + pushed + ":rw");
    }

    /** A state that says VERIFIED must carry the root of the bytes the file holds right now. */
    private static void assertNoFalseClaim(Path replica, String context) throws IOException {
        Optional<ReplicaState> recorded = ReplicaState.read(replica);
        if (recorded.isEmpty() || recorded.get().phase() != ReplicaState.Phase.VERIFIED) {
            return;
        }
        ReplicaState state = recorded.get();
        assertEquals(state.regionSize(), Files.size(replica), context + ": verified state of another size");
        assertArrayEquals(state.root(), state.rootOfFile(replica, 2), context + ": state claims epoch " + state.epoch()
                + " verified, but the file's root differs");
    }

    /** Rewrites about a fifth of the source's 4 KiB pages, so each sync has megabytes to move. */
    private static void rewritePages(Path source, SplittableRandom random) throws IOException {
        try (MappedRegion region = MappedRegion.open(source, RegionAccess.READ_WRITE)) {
            long pages = region.size() / 4096;
            for (long n = pages / 5; n > 0; n--) {
                RandomFill.fill(region.segment().asSlice(random.nextLong(pages) * 4096, 4096), random.nextLong());
            }
        }
    }
}
