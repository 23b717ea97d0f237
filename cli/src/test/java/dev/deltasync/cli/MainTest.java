package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.region.FileIdentity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Drives the real entry point in-process and checks output streams and exit codes. */
class MainTest {
    record Run(int code, String out, String err) { }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.standard().run(args, new Io(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentsPrintsTheOverviewAndExitsWithUsage() {
        Run r = run();
        assertEquals(2, r.code());
        assertTrue(r.out().contains("Commands:") && r.out().contains("Exit codes:"), r.out());
    }

    @Test
    void helpListsEveryCommandAndTheExitCodeTable() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String command : new String[] {"serve", "push", "pull", "demo", "hash-bench"}) {
            assertTrue(r.out().contains(command), command);
        }
        for (ExitCode code : ExitCode.values()) {
            assertTrue(r.out().contains(code.code() + "  " + code.meaning()), code.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "push", "pull", "demo", "hash-bench", "keygen"})
    void everyCommandsHelpTeachesWithExamples(String command) {
        Run r = run(command, "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: deltasync " + command), r.out());
        assertTrue(r.out().contains("Examples:"), r.out());
        assertTrue(r.out().contains("--debug"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"version", "--version", "-V"})
    void versionNamesTheBuildTheRuntimeTheTransportAndTheTlsEngine(String spelling) {
        Run r = run(spelling);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("deltasync \\S+\ncommit    \\S+\njava      \\d+\\S* \\(.*\\) at \\S+\n"
                + "transport (epoll|nio)\ntls       (openssl|jdk) \\(.*\\)\n"), r.out());
    }

    @Test
    void statusOfAFileReplacedSinceItsStateWasWrittenIsNotVerified(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("replica.bin"), new byte[4096]);
        FileIdentity identity = FileIdentity.of(file);
        Files.writeString(dir.resolve("replica.bin.deltasync-state"), "phase=VERIFIED\nepoch=3\nhash=xxh3-128\n"
                + "chunk_size=4096\nregion_size=4096\nroot=" + "00".repeat(16) + "\nupdated=2026-12-01T10:00:00Z\n"
                + "lineage=" + "ab".repeat(16) + "\nverified_epoch=3\nsource_time=\ndevice=" + identity.device()
                + "\ninode=" + identity.inode() + "\n");
        Run own = run("status", file.toString(), "--json");
        assertEquals(0, own.code(), own.out() + own.err());
        assertTrue(own.out().contains("\"same_file\":true,") && own.out().contains("\"verified\":true"), own.out());

        Path restored = Files.copy(file, dir.resolve("restored.bin"));
        Files.move(restored, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Run replaced = run("status", file.toString(), "--json");
        assertEquals(3, replaced.code(), replaced.out() + replaced.err());
        assertTrue(replaced.out().contains("\"same_file\":false,") && replaced.out().contains("\"verified\":false"),
                replaced.out());
        Run text = run("status", file.toString());
        assertEquals(3, text.code());
        assertTrue(text.out().contains("was replaced since"), text.out());
    }

    @Test
    void statusOfATornStateFileSaysSoInOneLineAndIsNotVerified(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("replica.bin"), new byte[4096]);
        Files.writeString(dir.resolve("replica.bin.deltasync-state"), "phase=VERIFIED\nepoch=3\nhash=xxh3-128\n"
                + "chunk_size=4096\nregion_size=4096\nroot=" + "00".repeat(16) + "\nupdated=2026-12-01T10:00:00Z\n"
                + "check=00000000\n");
        Run r = run("status", file.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("is torn") && r.err().contains("not verified") && !r.err().contains("Exception"),
                r.err());
    }

    @Test
    void anUnknownCommandIsAUsageErrorOnOneLine() {
        Run r = run("frobnicate");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("unknown command 'frobnicate'"), r.err());
    }

    @Test
    void anUnknownOptionIsAUsageErrorOnOneLine() {
        Run r = run("push", "--bogus", "a", "127.0.0.1:1/x");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--bogus"), r.err());
    }

    @Test
    void pushOfAMissingFileIsAUsageError() {
        Run r = run("push", "/definitely/not/here.bin", "127.0.0.1:1/vm", "--once");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("/definitely/not/here.bin does not exist"), r.err());
    }

    @Test
    void pairsMustShareOneServer() {
        Run r = run("pull", "127.0.0.1:1/a", "a.bin", "127.0.0.2:1/b", "b.bin");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("one server"), r.err());
    }

    @Test
    void aServerThatIsNotRunningIsAFailureWithoutAStackTrace(@TempDir Path dir) throws Exception {
        dev.deltasync.peer.Identity.generate(dir, false);
        Run r = run("pull", "127.0.0.1:1/a", "a.bin", "--once", "--identity", dir.toString(),
                "--peer-fingerprint", "SHA256:" + "0".repeat(64));
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("connection refused"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void serveWithoutRegionsIsAUsageError() {
        Run r = run("serve", "--listen", "127.0.0.1:0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--region"), r.err());
    }

    @Test
    void hashBenchMeasuresEveryAlgorithmAsJsonLines() {
        Run r = run("hash-bench", "--size", "8MiB", "--time", "1ms", "--threads", "2", "--json");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(6, lines.length, r.out());
        for (String algorithm : new String[] {"memory-read", "xxh3-64", "xxh3-128", "blake3", "crc32c", "crc32"}) {
            assertTrue(r.out().contains("\"algorithm\":\"" + algorithm + "\""), algorithm);
        }
        assertTrue(lines[2].contains("\"digest_bits\":128") || r.out().contains("\"digest_bits\":128"), r.out());
    }

    @Test
    void hashBenchMeasuresOnlyTheNamedAlgorithmsAndSaysWhichCodeRuns() {
        Run r = run("hash-bench", "--size", "8MiB", "--time", "1ms", "--threads", "1", "--hash", "xxh3-128,crc32", "--json");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].contains("\"algorithm\":\"memory-read\""), lines[0]);
        assertTrue(lines[1].contains("\"algorithm\":\"xxh3-128\"") && lines[1].contains("\"gbps_first_pass\":"), lines[1]);
        assertTrue(lines[2].contains("\"algorithm\":\"crc32\""), lines[2]);
        assertTrue(r.err().contains("xxh3-128: native libxxhash.so.0") || r.err().contains("xxh3-128: hash4j ("), r.err());
    }

    @Test
    void hashBenchRejectsAnUnknownAlgorithmNamingTheChoices() {
        Run r = run("hash-bench", "--size", "8MiB", "--hash", "md5");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--hash: unknown hash algorithm 'md5', expected one of: xxh3-64"), r.err());
    }
}
