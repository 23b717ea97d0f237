package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --once}, exit codes and messages, with real processes: one {@code serve} for the whole class
 * (each test uses its own regions), one client process per case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class OnceAndErrorsE2eTest {
    private static final long MIB = 1024 * 1024;
    private static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    private ProcessHarness serverHarness;
    private ProcessHarness harness;
    private Server server;
    private Path source;
    private Path roFile;
    private Path roCopy;
    private Path sizedReplica;
    private Path fixedReplica;
    private Path fixedCopy;

    @BeforeAll
    void startServer() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        serverHarness = new ProcessHarness(dir.resolve("logs"));
        source = dir.resolve("source.bin");
        ProcessHarness.randomFile(source, 8 * MIB, 1);
        roFile = dir.resolve("readonly.bin");
        ProcessHarness.randomFile(roFile, 8 * MIB, 2);
        roCopy = dir.resolve("readonly.copy");
        Files.copy(roFile, roCopy);
        sizedReplica = dir.resolve("sized.bin");
        ProcessHarness.randomFile(sizedReplica, 4 * MIB, 3);
        fixedReplica = dir.resolve("fixed.bin");
        ProcessHarness.randomFile(fixedReplica, 4 * MIB, 4);
        fixedCopy = Files.copy(fixedReplica, dir.resolve("fixed.copy"));
        server = serverHarness.serve(Duration.ofSeconds(30),
                "--region", "fresh=" + dir.resolve("fresh.bin") + ":rw",
                "--region", "fresh-json=" + dir.resolve("fresh-json.bin") + ":rw",
                "--region", "verify=" + dir.resolve("verify.bin") + ":rw",
                "--region", "ro=" + roFile + ":ro",
                "--region", "sized=" + sizedReplica + ":rw", "--allow-resize", "sized",
                "--region", "fixed=" + fixedReplica + ":rw");
    }

    @AfterAll
    void stopServer() throws Exception {
        serverHarness.killAll();
    }

    @org.junit.jupiter.api.BeforeEach
    void newHarness() throws IOException {
        harness = new ProcessHarness(dir.resolve("logs"));
    }

    @AfterEach
    void killClients() throws Exception {
        harness.killAll();
    }

    private Proc run(String name, String... args) throws Exception {
        return harness.run(RUN, name, args);
    }

    private static int exit(Proc proc) {
        return proc.process().exitValue();
    }

    /** The error contract: exactly one line on stderr, and no stack trace. */
    private static void assertOneLineError(Proc proc) {
        List<String> lines = proc.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "expected exactly one line on stderr" + proc.tails());
        assertFalse(proc.stderr().contains("\tat ") || proc.stderr().contains("Exception"),
                "no stack trace on stderr" + proc.tails());
    }

    @Test
    void pushOnceOfAFreshReplicaExitsZeroAndTheServerFileIsIdentical() throws Exception {
        Proc push = run("push-once", "push", source.toString(), server.address("fresh"), "--once");
        assertEquals(0, exit(push), "push --once" + push.tails() + server.proc().tails());
        Path replica = dir.resolve("fresh.bin");
        assertTrue(identical(source, replica), describeMismatch(source, replica) + push.tails());
    }

    @Test
    void pushOnceJsonPrintsAVerifiedSummaryLine() throws Exception {
        Proc push = run("push-once-json", "push", source.toString(), server.address("fresh-json"), "--once",
                "--json");
        assertEquals(0, exit(push), "push --once --json" + push.tails() + server.proc().tails());
        List<String> json = push.stdout().lines().toList();
        assertTrue(json.stream().allMatch(l -> l.startsWith("{") && l.endsWith("}")), "only JSON lines" + push.tails());
        List<String> done = json.stream().filter(l -> l.contains("\"type\":\"region_done\"")).toList();
        assertEquals(1, done.size(), "one region_done line for one region" + push.tails());
        String line = done.getFirst();
        assertTrue(line.contains("\"verified\":true") && line.contains("\"region\":\"fresh-json\"")
                && line.contains("\"direction\":\"push\""), "JSON region_done: " + line);
        assertTrue(json.getLast().startsWith("{\"type\":\"summary\"") && json.getLast().contains("\"exit_code\":0"),
                "JSON summary last: " + json.getLast());
        assertTrue(identical(source, dir.resolve("fresh-json.bin")), describeMismatch(source,
                dir.resolve("fresh-json.bin")));
    }

    /** --verify: the server agrees to REHASH (PROTOCOL.md §9.7), both ways, and the whole source is hashed. */
    @Test
    void pushAndPullOnceWithVerifyHashInFullAndConverge() throws Exception {
        Proc push = run("push-verify", "push", source.toString(), server.address("verify"), "--once", "--verify",
                "--json");
        assertEquals(0, exit(push), "push --once --verify" + push.tails() + server.proc().tails());
        String done = push.stdout().lines().filter(l -> l.contains("\"type\":\"region_done\"")).findFirst()
                .orElseThrow();
        assertTrue(done.contains("\"bytes_scanned\":" + 8 * MIB), done);
        assertTrue(identical(source, dir.resolve("verify.bin")), describeMismatch(source, dir.resolve("verify.bin")));
        Path local = dir.resolve("pulled-verify.bin");
        Proc pull = run("pull-verify", "pull", server.address("ro"), local.toString(), "--once", "--verify");
        assertEquals(0, exit(pull), "pull --once --verify" + pull.tails() + server.proc().tails());
        assertTrue(identical(roFile, local), describeMismatch(roFile, local) + pull.tails());
    }

    @Test
    void pullOnceOfAFreshLocalFileExitsZeroAndIsIdentical() throws Exception {
        Path local = dir.resolve("pulled-once.bin");
        Proc pull = run("pull-once", "pull", server.address("ro"), local.toString(), "--once", "--stats");
        assertEquals(0, exit(pull), "pull --once" + pull.tails() + server.proc().tails());
        assertTrue(identical(roFile, local), describeMismatch(roFile, local) + pull.tails());
        assertTrue(pull.stdout().contains("verified identical at epoch"), "--stats summary" + pull.tails());
    }

    @Test
    void pushIntoAReadOnlyRegionIsRefusedWithExit3AndLeavesTheFileUntouched() throws Exception {
        Proc push = run("push-ro", "push", source.toString(), server.address("ro"), "--once");
        assertEquals(3, exit(push), "push into :ro" + push.tails() + server.proc().tails());
        assertTrue(push.stderr().toLowerCase().contains("read-only"), "stderr mentions read-only" + push.tails());
        assertOneLineError(push);
        assertTrue(identical(roCopy, roFile), "the :ro file changed: " + describeMismatch(roCopy, roFile));
    }

    @Test
    void followingPushIntoAReadOnlyRegionGivesUpWithExit3() throws Exception {
        Proc push = run("push-ro-follow", "push", source.toString(), server.address("ro"), "--interval", "200ms");
        assertEquals(3, exit(push), "a refusal is final even without --once" + push.tails());
        assertTrue(push.stderr().toLowerCase().contains("read-only"), "stderr mentions read-only" + push.tails());
        assertTrue(identical(roCopy, roFile), "the :ro file changed: " + describeMismatch(roCopy, roFile));
    }

    @Test
    void pushIntoAnUnknownRegionIsRefusedWithExit3() throws Exception {
        Proc push = run("push-unknown", "push", source.toString(), server.address("nosuch"), "--once");
        assertEquals(3, exit(push), "push into unknown region" + push.tails());
        assertTrue(push.stderr().contains("nosuch"), "stderr names the region" + push.tails());
        assertOneLineError(push);
    }

    @Test
    void pullOfAnUnknownRegionIsRefusedWithExit3() throws Exception {
        Proc pull = run("pull-unknown", "pull", server.address("nosuch"), dir.resolve("x.bin").toString(), "--once");
        assertEquals(3, exit(pull), "pull of unknown region" + pull.tails());
        assertOneLineError(pull);
    }

    @Test
    void aPushMayNotResizeARegionTheServerDidNotMakeResizable() throws Exception {
        Proc push = run("push-fixed", "push", source.toString(), server.address("fixed"), "--once", "--resize");
        assertEquals(3, exit(push), "resize of a fixed-size region" + push.tails() + server.proc().tails());
        assertTrue(push.stderr().contains("--allow-resize fixed"), "the message names the server option" + push.tails());
        assertOneLineError(push);
        assertTrue(identical(fixedCopy, fixedReplica), "a refused push must leave the region untouched");
    }

    @Test
    void sizeMismatchIsRefusedWithExit3SuggestingResizeAndResizeSucceeds() throws Exception {
        Proc push = run("push-size", "push", source.toString(), server.address("sized"), "--once");
        assertEquals(3, exit(push), "size mismatch" + push.tails() + server.proc().tails());
        assertTrue(push.stderr().contains("--resize"), "the message suggests --resize" + push.tails());
        assertOneLineError(push);
        assertEquals(4 * MIB, Files.size(sizedReplica), "a refused push must not resize the replica");

        Proc resized = run("push-resize", "push", source.toString(), server.address("sized"), "--once", "--resize");
        assertEquals(0, exit(resized), "push --resize" + resized.tails() + server.proc().tails());
        assertTrue(identical(source, sizedReplica), describeMismatch(source, sizedReplica) + resized.tails());
    }

    @Test
    void pullIntoALocalFileOfAnotherSizeIsRefusedWithExit3SuggestingResize() throws Exception {
        Path local = dir.resolve("pulled-small.bin");
        ProcessHarness.randomFile(local, 1 * MIB, 4);
        Proc pull = run("pull-size", "pull", server.address("ro"), local.toString(), "--once");
        assertEquals(3, exit(pull), "pull size mismatch" + pull.tails() + server.proc().tails());
        assertTrue(pull.stderr().contains("--resize"), "the message suggests --resize" + pull.tails());
        assertOneLineError(pull);
        assertEquals(1 * MIB, Files.size(local), "a refused pull must not resize the local file");

        Proc resized = run("pull-resize", "pull", server.address("ro"), local.toString(), "--once", "--resize");
        assertEquals(0, exit(resized), "pull --resize" + resized.tails() + server.proc().tails());
        assertTrue(identical(roFile, local), describeMismatch(roFile, local) + resized.tails());
    }

    @Test
    void serveOnAPortInUseExits1WithOneLineOnStderr() throws Exception {
        Proc serve = run("serve-in-use", "serve", "--listen", "127.0.0.1:" + server.port(),
                "--region", "x=" + roFile);
        assertEquals(1, exit(serve), "serve on a busy port" + serve.tails());
        assertOneLineError(serve);
        assertTrue(server.proc().alive(), "the first server still runs" + server.proc().tails());
    }

    @Test
    void serverNotRunningExits1WithOneLineOnStderr() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        for (String command : List.of("push", "pull")) {
            Proc proc = command.equals("push")
                    ? run("push-noserver", "push", source.toString(), "127.0.0.1:" + port + "/r", "--once")
                    : run("pull-noserver", "pull", "127.0.0.1:" + port + "/r", dir.resolve("y.bin").toString(),
                    "--once");
            assertEquals(1, exit(proc), command + " with no server" + proc.tails());
            assertOneLineError(proc);
            assertTrue(proc.stderr().contains("deltasync " + command + ":"), proc.tails());
        }
    }

    @Test
    void badArgumentsExit2WithOneLineOnStderr() throws Exception {
        String remote = server.address("fresh");
        List<String[]> cases = List.of(
                new String[] {"push", "onlyonearg"},
                new String[] {"pull", "onlyonearg"},
                new String[] {"push", source.toString(), remote, "--chunk-size", "3000"},
                new String[] {"push", source.toString(), remote, "--hash", "md5"},
                new String[] {"push", source.toString(), remote, "--no-such-option"},
                new String[] {"push", dir.resolve("missing.bin").toString(), remote},
                new String[] {"push", source.toString(), "not-an-address"},
                new String[] {"pull", remote, dir.resolve("z.bin").toString(), "--interval", "soon"},
                new String[] {"serve"},
                new String[] {"nosuchcommand"});
        // Usage errors are decided before any connection, so they can run side by side.
        List<Proc> procs = new ArrayList<>();
        for (String[] args : cases) {
            procs.add(harness.deltasync("usage-" + String.join("_", args).replace('/', '_'), args));
        }
        for (int i = 0; i < procs.size(); i++) {
            Proc proc = procs.get(i);
            harness.awaitExit(proc, RUN);
            String what = String.join(" ", cases.get(i));
            assertEquals(2, exit(proc), "'" + what + "'" + proc.tails());
            assertOneLineError(proc);
            assertTrue(proc.stdout().isEmpty(), "'" + what + "' printed to stdout" + proc.tails());
        }
        assertFalse(Files.exists(dir.resolve("z.bin")), "a usage error must not create files");
    }

    @Test
    void helpOfEveryCommandExits0AndShowsExamples() throws Exception {
        List<String> commands = List.of("serve", "push", "pull", "status", "demo", "hash-bench");
        List<Proc> procs = new ArrayList<>();
        for (String command : commands) {
            procs.add(harness.deltasync("help-" + command, command, "--help"));
        }
        Proc overview = harness.deltasync("help", "--help");
        for (int i = 0; i < procs.size(); i++) {
            Proc proc = procs.get(i);
            harness.awaitExit(proc, RUN);
            assertEquals(0, exit(proc), commands.get(i) + " --help" + proc.tails());
            assertTrue(proc.stdout().contains("Examples"), commands.get(i) + " --help shows examples" + proc.tails());
            assertTrue(proc.stdout().contains("Usage: deltasync " + commands.get(i)), proc.tails());
            assertTrue(proc.stderr().isBlank(), proc.tails());
        }
        harness.awaitExit(overview, RUN);
        assertEquals(0, exit(overview), overview.tails());
        for (String command : commands) {
            assertTrue(overview.stdout().contains(command), "overview lists " + command + overview.tails());
        }
        assertTrue(overview.stdout().contains("Exit codes"), overview.tails());
    }
}
