package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import dev.deltasync.peer.Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security model through the real command line, in real processes: one TLS server with four kinds of region
 * and clients that are pinned, allowed per region, or strangers; and a plaintext pair with --insecure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SecurityCliTest {
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path dir;

    private ProcessHarness harness;
    private Server server;
    private Path source;
    private Path secret;
    private String serverId;
    /** Alice may push into 'shared' and pull 'secret'; Bob may pull 'shared'; Carol is pinned; Dave is a stranger. */
    private Path alice;
    private Path bob;
    private Path carol;
    private Path dave;

    @BeforeAll
    void startServer() throws Exception {
        harness = new ProcessHarness(Files.createDirectories(dir.resolve("logs")));
        Path serverDir = dir.resolve("server-id");
        serverId = Identity.generate(serverDir, false).fingerprint().toString();
        alice = identity("alice");
        bob = identity("bob");
        carol = identity("carol");
        dave = identity("dave");
        source = dir.resolve("source.bin");
        ProcessHarness.randomFile(source, 2 * MIB, 1);
        secret = dir.resolve("secret.bin");
        ProcessHarness.randomFile(secret, MIB, 2);
        server = harness.serve(Duration.ofSeconds(30), "--identity", serverDir.toString(),
                "--region", "open=" + dir.resolve("open.bin") + ":rw",
                "--region", "secret=" + secret + ":ro",
                "--region", "shared=" + dir.resolve("shared.bin") + ":rw",
                "--region", "b3=" + dir.resolve("b3.bin") + ":rw",
                "--peer-fingerprint", fingerprint(carol),
                "--allow", "secret=pull:" + fingerprint(alice),
                "--allow", "shared=push:" + fingerprint(alice),
                "--allow", "shared=pull:" + fingerprint(bob),
                "--require-blake3", "b3");
    }

    @AfterAll
    void stop() throws Exception {
        harness.killAll();
    }

    private Path identity(String name) throws Exception {
        Path path = dir.resolve(name);
        Identity.generate(path, false);
        return path;
    }

    private static String fingerprint(Path identity) throws Exception {
        return Identity.load(identity).fingerprint().toString();
    }

    /** Runs push or pull as {@code who}, pinning {@code pinned} as the server. */
    private Proc as(Path who, String pinned, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--identity", who.toString(), "--peer-fingerprint", pinned, "--once"));
        return harness.run(RUN, who.getFileName() + "-" + args[0], all.toArray(String[]::new));
    }

    private static int exit(Proc proc) {
        return proc.process().exitValue();
    }

    private static String oneLine(Proc proc) {
        List<String> lines = proc.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr" + proc.tails());
        return lines.getFirst();
    }

    private void awaitServerLog(String fragment) throws InterruptedException {
        ProcessHarness.await(Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> server.proc().stderr().contains(fragment), () -> "server log lacks '" + fragment + "'"
                        + server.proc().tails());
    }

    @Test
    void aPinnedClientPushesOverTlsAndTheServerLogsItsFingerprint() throws Exception {
        Proc push = as(carol, serverId, "push", source.toString(), server.address("open"));
        assertEquals(0, exit(push), push.tails() + server.proc().tails());
        assertEquals(-1, Files.mismatch(source, dir.resolve("open.bin")));
        String carolFingerprint = fingerprint(carol);
        awaitServerLog("(" + carolFingerprint + "): started (stream 1)");
        assertTrue(server.proc().stderr().lines().anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) push into 'open' by 127\\.0\\.0\\.1:\\d+ \\("
                + carolFingerprint + "\\): started \\(stream 1\\)")), server.proc().tails());
        awaitServerLog("connection from 127.0.0.1:");
        assertTrue(server.proc().stderr().contains(fingerprint(carol) + ") accepted"), server.proc().tails());
        assertTrue(server.proc().stderr().contains("security: TLS 1.3, identity " + serverId), server.proc().tails());
    }

    @Test
    void aClientPinningAnotherServerRefusesItAndTheServerLogsThat() throws Exception {
        Proc push = as(carol, fingerprint(dave), "push", source.toString(), server.address("open"));
        assertEquals(ExitCode.REFUSED.code(), exit(push), "a wrong pin is a refusal, not a network blip: " + push.tails());
        assertTrue(oneLine(push).contains("server certificate " + serverId + " is not pinned (--peer-fingerprint)"),
                push.tails());
        awaitServerLog("refused: the client refused our certificate " + serverId);
    }

    @Test
    void anUnpinnedClientIsRejectedByTheServer() throws Exception {
        Proc push = as(dave, serverId, "push", source.toString(), server.address("open"));
        assertEquals(ExitCode.REFUSED.code(), exit(push), push.tails());
        assertTrue(oneLine(push).contains("the server refused our certificate " + fingerprint(dave)), push.tails());
        assertTrue(oneLine(push).contains("serve --peer-fingerprint or --allow") && oneLine(push).contains("serve --ca"),
                "the hint names every way the server can accept us: " + push.tails());
        awaitServerLog("client certificate " + fingerprint(dave) + " is not pinned (--peer-fingerprint)");
    }

    @Test
    void aClientNotAllowedARegionIsToldExactlyWhatAMissingRegionTells() throws Exception {
        Path local = dir.resolve("carol-secret.bin");
        Proc forbidden = as(carol, serverId, "pull", server.address("secret"), local.toString());
        Proc missing = as(carol, serverId, "pull", server.address("secreu"), local.toString());
        assertEquals(ExitCode.REFUSED.code(), exit(forbidden), forbidden.tails());
        assertEquals(ExitCode.REFUSED.code(), exit(missing), missing.tails());
        assertEquals(oneLine(missing).replace("secreu", "secret"), oneLine(forbidden));
        assertTrue(Files.notExists(local));

        Proc allowed = as(alice, serverId, "pull", server.address("secret"), local.toString());
        assertEquals(0, exit(allowed), allowed.tails());
        assertEquals(-1, Files.mismatch(secret, local));
    }

    @Test
    void aPullOnlyClientCannotPushButThePusherCan() throws Exception {
        Proc refused = as(bob, serverId, "push", source.toString(), server.address("shared"));
        assertEquals(ExitCode.REFUSED.code(), exit(refused), refused.tails());
        assertTrue(oneLine(refused).contains("read-only for this peer"), refused.tails());

        Proc push = as(alice, serverId, "push", source.toString(), server.address("shared"));
        assertEquals(0, exit(push), push.tails());
        Proc pull = as(bob, serverId, "pull", server.address("shared"), dir.resolve("bob.bin").toString());
        assertEquals(0, exit(pull), pull.tails());
        assertEquals(-1, Files.mismatch(source, dir.resolve("bob.bin")));
    }

    @Test
    void aRegionRequiringBlake3RefusesXxh3() throws Exception {
        Proc xxh3 = as(carol, serverId, "push", source.toString(), server.address("b3"));
        assertEquals(ExitCode.REFUSED.code(), exit(xxh3), xxh3.tails());
        assertTrue(oneLine(xxh3).contains("requires the blake3 hash"), xxh3.tails());
        Proc blake3 = as(carol, serverId, "push", source.toString(), server.address("b3"), "--hash", "blake3");
        assertEquals(0, exit(blake3), blake3.tails());
    }

    @Test
    void insecureOnBothSidesInteroperatesAndWarnsOnStderr() throws Exception {
        ProcessHarness plain = new ProcessHarness(dir.resolve("logs"));
        try {
            Server insecure = plain.serve(Duration.ofSeconds(30), "--insecure",
                    "--region", "p=" + dir.resolve("plain.bin") + ":rw");
            Proc push = plain.run(RUN, "insecure-push", "push", source.toString(), insecure.address("p"), "--once",
                    "--insecure");
            assertEquals(0, exit(push), push.tails());
            assertEquals(-1, Files.mismatch(source, dir.resolve("plain.bin")));
            for (Proc proc : List.of(push, insecure.proc())) {
                assertTrue(proc.stderr().lines().anyMatch(SecurityOptions.INSECURE_WARNING::equals), proc.tails());
            }
            assertTrue(insecure.proc().stderr().contains("security: plaintext (--insecure)"), insecure.proc().tails());

            Proc tlsClient = as(carol, serverId, "push", source.toString(), insecure.address("p"));
            assertEquals(ExitCode.REFUSED.code(), exit(tlsClient), tlsClient.tails());
            assertTrue(oneLine(tlsClient).contains("the server does not speak TLS (is it running with --insecure?)"),
                    tlsClient.tails());
        } finally {
            plain.killAll();
        }
    }
}
