package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.await;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Continuous replication run as a service, with real processes: what push, pull and serve say on stderr while
 * the server restarts, and how each ends on SIGTERM (complete summary, documented exit code, a replica state
 * that is VERIFIED or APPLYING, never a false VERIFIED).
 */
class ServiceLifecycleE2eTest extends ProcessTest {
    private static final long MIB = 1024 * 1024;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(200);
    /** An ISO-8601 time with seconds and zone, then one space: how every state-change line starts. */
    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) ";
    private static final Pattern PHASE = Pattern.compile("(?m)^phase=(\\w+)$");

    /** A following pull through one server restart, and where it stands afterwards (for tests to extend). */
    record Restarted(Proc pull, Server first, Server second, Path served, Path replica) { }

    /**
     * Serves {@code served}, follows it with a pull until identical, kills the server (SIGKILL: no goodbye),
     * changes the source while no server runs, restarts the server on the same port and waits until the
     * replica has caught up again. {@code pullOptions} are added to the pull (e.g. -v).
     */
    Restarted pullAcrossAServerRestart(String... pullOptions) throws Exception {
        Path served = dir.resolve("served.bin");
        Path replica = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(served, 4 * MIB, 7);
        String[] regions = {"--region", "s=" + served, "--interval", "200ms"};
        Server first = harness.serve(START, regions);
        List<String> args = new java.util.ArrayList<>(List.of("pull", first.address("s"), replica.toString(), "--stats"));
        args.addAll(List.of(pullOptions));
        Proc pull = harness.deltasync("pull", args.toArray(String[]::new));
        awaitLine(pull, "in sync at epoch");
        await(WAIT, POLL, () -> identical(served, replica), () -> "replica never equal" + harness.allTails());

        first.proc().process().destroyForcibly();
        harness.awaitExit(first.proc(), Duration.ofSeconds(20));
        awaitLine(pull, "reconnecting");
        Proc writer = harness.writer(served, 1, 50, 8);
        assertEquals(0, harness.awaitExit(writer, Duration.ofSeconds(60)), writer.tails());
        assertFalse(identical(served, replica), "the writer changed the source");

        Server second = harness.serveOn(first.port(), START, regions);
        awaitLine(pull, "reconnected to");
        await(WAIT, POLL, () -> identical(served, replica), () -> "replica never caught up" + harness.allTails());
        // the bytes land before the epoch's line is written: wait for the line too
        await(WAIT, POLL, () -> saidAfter(pull, "reconnected to", "in sync at epoch"),
                () -> "pull never said 'in sync' after reconnecting" + harness.allTails());
        return new Restarted(pull, first, second, served, replica);
    }

    @Test
    @Timeout(300)
    void aFollowingPullSaysWhenItConnectsLosesTheServerAndReconnectsAndStopsCleanlyOnSigterm() throws Exception {
        Restarted run = pullAcrossAServerRestart();
        Proc pull = run.pull();
        List<String> lines = stateLines(pull);
        String all = String.join("\n", lines);
        String address = "127.0.0.1:" + run.first().port();
        assertTrue(lines.getFirst().matches(STAMP + "connected to " + Pattern.quote(address)
                + " \\(SHA256:[0-9a-f]{64}\\)"), all);
        assertTrue(lines.get(1).matches(STAMP + "s -> .*pulled\\.bin: in sync at epoch \\d+ \\(\\d+ chunks changed, .*"
                + " on the wire in [0-9.]+ s\\)"), all);
        assertTrue(lines.get(2).matches(STAMP + "disconnected from " + Pattern.quote(address) + ": .+"), all);
        assertTrue(lines.get(3).matches(STAMP + "reconnecting to " + Pattern.quote(address)
                + " in 1\\.0 s \\(attempt 1\\)"), all);
        int reconnected = indexOf(lines, "reconnected to ");
        assertTrue(lines.get(reconnected).matches(STAMP + "reconnected to " + Pattern.quote(address)
                + " \\(SHA256:[0-9a-f]{64}\\) after [0-9.]+ s"), all);
        for (String retry : lines.subList(4, reconnected)) {
            assertTrue(retry.matches(STAMP + "cannot connect to " + Pattern.quote(address) + ": connection refused"
                    + ".*; reconnecting in [0-9.]+ s \\(attempt \\d+\\)"), all);
        }
        assertTrue(lines.get(reconnected + 1).matches(STAMP + "s -> .*: in sync at epoch \\d+ .*"), all);

        assertEquals(0, stop(pull), "SIGTERM of a following pull exits 0" + pull.tails());
        assertEndsWithSummary(pull, "s -> " + run.replica());
        assertTrue(String.join("\n", stateLines(pull)).matches("(?s).*" + STAMP + "stopping on SIGTERM .*\n" + STAMP
                + "disconnected from " + Pattern.quote(address) + ": closed by this side"), pull.tails());
        assertStateHonest(run.replica());

        assertEquals(0, stop(run.second().proc()), run.second().proc().tails());
        String serverLog = run.second().proc().stderr();
        assertTrue(serverLog.lines().anyMatch(l -> l.matches(STAMP + "connection from 127\\.0\\.0\\.1:\\d+"
                + " \\(SHA256:[0-9a-f]{64}\\) accepted")), serverLog);
        assertTrue(serverLog.lines().anyMatch(l -> l.matches(STAMP + "pull of 's' by 127\\.0\\.0\\.1:\\d+"
                + " \\(SHA256:[0-9a-f]{64}\\): started \\(stream 1\\)")), serverLog);
        assertTrue(serverLog.lines().anyMatch(l -> l.matches(STAMP + "connection from 127\\.0\\.0\\.1:\\d+ closed: .+")),
                serverLog);
        assertTrue(serverLog.lines().anyMatch(l -> l.matches(STAMP + "pull of 's' by .*: ended \\(stream 1\\), .+")),
                serverLog);
        assertTrue(serverLog.lines().toList().getLast().matches(STAMP + "stopped: .*"), serverLog);
    }

    @Test
    @Timeout(300)
    void sigtermOfAFollowingPushAndOfServeEndsCleanlyWithAnHonestReplica() throws Exception {
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        ProcessHarness.randomFile(source, 8 * MIB, 9);
        Server server = harness.serve(START, "--region", "r=" + replica + ":rw", "--insecure");
        Proc push = harness.deltasync("push", "push", source.toString(), server.address("r"), "--insecure",
                "--interval", "200ms", "--stats");
        awaitLine(push, "in sync at epoch");
        assertTrue(stateLines(push).getFirst().matches(STAMP + "connected to 127\\.0\\.0\\.1:\\d+ \\(plaintext\\)"),
                push.tails());
        Proc writer = harness.writer(source, 2, 100, 10); // the push is mid-epoch or between epochs at SIGTERM
        Thread.sleep(500);
        assertEquals(0, stop(push), "SIGTERM of a following push exits 0" + push.tails());
        harness.awaitExit(writer, Duration.ofSeconds(60));
        assertEndsWithSummary(push, source + " -> r");

        assertEquals(0, stop(server.proc()), server.proc().tails());
        String serverLog = server.proc().stderr();
        assertTrue(serverLog.contains("stopping on SIGTERM"), serverLog);
        assertTrue(serverLog.lines().anyMatch(l -> l.matches(STAMP + "connection from 127\\.0\\.0\\.1:\\d+ \\(plaintext\\)"
                + " accepted")), serverLog);
        assertTrue(serverLog.lines().anyMatch(l -> l.matches(STAMP + "push into 'r' by 127\\.0\\.0\\.1:\\d+ \\(plaintext\\):"
                + " ended \\(stream 1\\), .+")), serverLog);
        assertTrue(serverLog.lines().toList().getLast().matches(STAMP + "stopped: .*"), serverLog);
        assertStateHonest(replica);
    }

    @Test
    @Timeout(300)
    void sigtermOfAOncePullInFlightPrintsItsSummaryExits143AndLeavesTheReplicaApplying() throws Exception {
        Path served = dir.resolve("served.bin");
        Path replica = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(served, 64 * MIB, 11);
        Server server = harness.serve(START, "--region", "s=" + served, "--max-rate", "2MiB/s");
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), replica.toString(), "--once", "--stats");
        Path state = replica.resolveSibling(replica.getFileName() + ".deltasync-state");
        await(WAIT, POLL, () -> "APPLYING".equals(phase(state)), () -> "no epoch under way" + harness.allTails());
        assertEquals(ExitCode.TERMINATED.code(), stop(pull), pull.tails());
        assertEndsWithSummary(pull, "s -> " + replica);
        assertTrue(pull.stdout().contains("not verified"), pull.tails());
        assertEquals("APPLYING", phase(state), "a --once stopped mid-epoch is not verified");
        assertEquals(0, stop(server.proc()), server.proc().tails());
    }

    @Test
    @Timeout(180)
    void underTheJournalServePrintsNoTimestampOfItsOwnAndQuietPrintsNoStateChanges() throws Exception {
        Path served = dir.resolve("served.bin");
        ProcessHarness.randomFile(served, MIB, 12);
        Server journal = harness.serveOn(0, START, Map.of("JOURNAL_STREAM", "8:12345"), "--region", "s=" + served);
        Proc once = harness.run(WAIT, "pull", "pull", journal.address("s"), dir.resolve("a.bin").toString(), "--once");
        assertEquals(0, once.process().exitValue(), once.tails());
        awaitLine(journal.proc(), ": ended (stream 1)");
        assertTrue(journal.proc().stderr().lines().anyMatch(l -> l.matches("connection from 127\\.0\\.0\\.1:\\d+ \\(SHA256:"
                + "[0-9a-f]{64}\\) accepted")), journal.proc().tails());
        assertTrue(journal.proc().stderr().lines().noneMatch(l -> l.matches(STAMP + ".*")), journal.proc().tails());

        Server silent = harness.serve(START, "--region", "s=" + served, "-q");
        Proc pull = harness.run(WAIT, "pull", "pull", silent.address("s"), dir.resolve("b.bin").toString(), "--once");
        assertEquals(0, pull.process().exitValue(), pull.tails());
        assertEquals(0, stop(silent.proc()), silent.proc().tails());
        assertTrue(silent.proc().stderr().lines().noneMatch(l -> l.matches(STAMP + ".*")), silent.proc().tails());
    }

    @Test
    @Timeout(240)
    void quietClientsSayNothingOfConnectionsSyncsOrStoppingButStillSayErrors() throws Exception {
        Path served = dir.resolve("served.bin");
        Path pulled = dir.resolve("pulled.bin");
        Path source = dir.resolve("source.bin");
        Path pushed = dir.resolve("pushed.bin");
        ProcessHarness.randomFile(served, MIB, 13);
        ProcessHarness.randomFile(source, MIB, 14);
        Server server = harness.serve(START, "--region", "s=" + served, "--region", "r=" + pushed + ":rw",
                "--interval", "200ms");
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), pulled.toString(), "-q");
        Proc push = harness.deltasync("push", "push", source.toString(), server.address("r"), "-q", "--interval",
                "200ms");
        await(WAIT, POLL, () -> verifiedReplicaOf(served, pulled) && verifiedReplicaOf(source, pushed),
                () -> "the quiet clients never synced" + harness.allTails());
        Proc refused = harness.run(WAIT, "pull-unknown", "pull", server.address("nope"),
                dir.resolve("nope.bin").toString(), "--once", "-q");
        assertEquals(3, refused.process().exitValue(), refused.tails());
        assertTrue(refused.stderr().contains("'nope'"), "-q still says what went wrong" + refused.tails());

        assertEquals(0, stop(pull), pull.tails());
        assertEquals(0, stop(push), push.tails());
        for (Proc quiet : List.of(pull, push)) {
            assertEquals(List.of(), stateLines(quiet), "connected, in sync, stopping and disconnected are state"
                    + " changes, which -q leaves out" + quiet.tails());
            assertEquals("", quiet.stdout(), quiet.tails());
        }
    }

    @Test
    @Timeout(240)
    void aSecondSignalWhileTheFirstIsStoppingTheCommandExitsAtOnceWithItsCode() throws Exception {
        Path served = dir.resolve("served.bin");
        Path pulled = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(served, MIB, 15);
        Server server = harness.serve(START, "--region", "s=" + served, "--interval", "200ms");
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), pulled.toString(), "--stats");
        awaitLine(pull, "in sync at epoch");
        // Both signals pending while the JVM is stopped, so the second is delivered while the first stops the pull
        // (a clean stop of a following pull exits 0).
        long pid = pull.process().pid();
        signal("STOP", pid);
        signal("INT", pid);
        signal("TERM", pid);
        signal("CONT", pid);
        int exit = harness.awaitExit(pull, Duration.ofSeconds(60));
        assertTrue(exit == 130 || exit == 143, "128 + the second signal's number, not a clean 0: " + pull.tails());
        String second = exit == 130 ? "SIGINT" : "SIGTERM";
        assertTrue(pull.stderr().contains("second signal (" + second + "): exiting at once, exit " + exit),
                pull.tails());
        assertStateHonest(pulled);
        assertEquals(0, stop(server.proc()), server.proc().tails());
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
    }

    /** The replica holds the source's bytes and its state says VERIFIED (the bytes land before the state). */
    private static boolean verifiedReplicaOf(Path source, Path replica) {
        return identical(source, replica)
                && "VERIFIED".equals(phase(replica.resolveSibling(replica.getFileName() + ".deltasync-state")));
    }

    /** The lines of {@code proc}'s stderr that carry a timestamp: the state changes. */
    static List<String> stateLines(Proc proc) {
        return proc.stderr().lines().filter(l -> l.matches(STAMP + ".*")).toList();
    }

    private static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        throw new AssertionError("no line with '" + fragment + "' in\n" + String.join("\n", lines));
    }

    private static boolean saidAfter(Proc proc, String earlier, String later) {
        String err = proc.stderr();
        int at = err.indexOf(earlier);
        return at >= 0 && err.indexOf(later, at) > at;
    }

    private void awaitLine(Proc proc, String fragment) throws InterruptedException {
        await(WAIT, POLL, () -> proc.stderr().contains(fragment), () -> proc.name() + " never said '" + fragment
                + "'" + harness.allTails());
    }

    /** SIGTERM, then the exit code. */
    private int stop(Proc proc) throws InterruptedException {
        proc.process().destroy();
        return harness.awaitExit(proc, Duration.ofSeconds(60));
    }

    /** The --stats summary of one region is complete: its heading, then its scan and wire lines, last on stdout. */
    private static void assertEndsWithSummary(Proc proc, String job) {
        List<String> out = proc.stdout().lines().toList();
        String heading = Pattern.quote(job) + ": (verified identical at epoch \\d+|not verified)";
        int last = out.size() - 1;
        while (last >= 0 && !out.get(last).matches(heading)) {
            last--;
        }
        assertTrue(last >= 0 && last + 2 < out.size(), "no summary of " + job + proc.tails());
        assertTrue(out.get(last + 1).matches("  scanned .*, \\d+ chunks changed .*, compression .*"), proc.tails());
        assertTrue(out.get(last + 2).matches("  wire: sent .*, received .*, in [0-9.]+ s \\(wall\\) over \\d+ epochs"),
                proc.tails());
        assertTrue(out.subList(last + 3, out.size()).stream().allMatch(l -> l.startsWith("  ")),
                "the summary is the last thing printed" + proc.tails());
    }

    /**
     * VERIFIED only for bytes the replica holds (status --verify re-hashes it against the recorded root), otherwise
     * APPLYING (or UNVERIFIED): never a false VERIFIED.
     */
    private void assertStateHonest(Path replica) throws Exception {
        String phase = phase(replica.resolveSibling(replica.getFileName() + ".deltasync-state"));
        assertTrue(List.of("VERIFIED", "APPLYING", "UNVERIFIED").contains(phase), phase);
        if (phase.equals("VERIFIED")) {
            Proc status = harness.run(WAIT, "status", "status", replica.toString(), "--verify");
            assertEquals(0, status.process().exitValue(), "VERIFIED must re-hash to its root" + status.tails());
        }
    }

    private static String phase(Path state) {
        try {
            Matcher m = PHASE.matcher(Files.readString(state));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
