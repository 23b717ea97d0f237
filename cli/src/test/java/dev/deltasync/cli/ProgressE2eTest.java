package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line as a user at a terminal sees it: {@code push --once} and {@code pull --once} run on a
 * pseudo-terminal (util-linux {@code script}), and every redrawn frame is checked for its fields. {@code
 * --max-rate} stretches the transfer over a few seconds, so that rates and ETAs are drawn too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ProgressE2eTest {
    private static final long SIZE = 24L << 20;
    private static final Duration RUN = Duration.ofSeconds(120);
    private static final String SIZE_TEXT = "24.0 MiB";
    private static final String AMOUNT = "[\\d.]+ (B|KiB|MiB|GiB)";
    private static final String RATE = "(--|" + AMOUNT + ")/s";
    private static final String ETA = "ETA (--:--|\\d+:\\d\\d)";

    @TempDir
    static Path dir;
    private ProcessHarness harness;
    private Server server;
    private Path source;

    @BeforeAll
    void startServer() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs util-linux script");
        Files.createDirectories(dir.resolve("logs"));
        harness = new ProcessHarness(dir.resolve("logs"));
        source = dir.resolve("source.bin");
        ProcessHarness.randomFile(source, SIZE, 21);
        server = harness.serve(RUN, "--region", "src=" + source + ":ro", "--region", "dst=" + dir.resolve("dst.bin") + ":rw");
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (harness != null) {
            harness.killAll();
        }
    }

    /** The frames of the progress line: what lies between carriage returns, each opened by erase-line. */
    private static List<String> frames(String terminal) {
        return Arrays.stream(terminal.split("\r")).filter(f -> f.startsWith("\033[K") && f.length() > 3)
                .map(f -> f.substring(3).strip()).toList();
    }

    /** @param stretched the phase took seconds (--max-rate), so frames before its end have a rate and an ETA */
    private static void assertFrames(List<String> frames, String phase, boolean stretched, String terminal) {
        Pattern shape = Pattern.compile("(src|dst)  " + phase + "  " + AMOUNT + " / " + SIZE_TEXT + "\\s+\\d{1,3}%  "
                + RATE + "  " + ETA);
        List<String> ofPhase = frames.stream().filter(f -> f.contains("  " + phase + "  ")).toList();
        assertFalse(ofPhase.isEmpty(), "no '" + phase + "' frame in: " + frames);
        ofPhase.forEach(f -> assertTrue(shape.matcher(f).matches(), "frame '" + f + "'"));
        assertTrue(ofPhase.getLast().contains(SIZE_TEXT + " / " + SIZE_TEXT + "  100%"), ofPhase.getLast());
        assertTrue(ofPhase.getLast().matches(".*  " + AMOUNT + "/s  ETA 0:00"), "the last frame has the phase's rate");
        if (stretched) {
            assertTrue(ofPhase.subList(0, ofPhase.size() - 1).stream()
                            .anyMatch(f -> f.matches(".*  " + AMOUNT + "/s  ETA \\d+:\\d\\d")),
                    "no frame with a measured rate and ETA before the end: " + ofPhase + "\n" + terminal);
        }
    }

    @Test
    void aPullShowsHashingTheReplicaThenReceivingThenItsWallTimeStats() throws Exception {
        Path replica = dir.resolve("replica.bin");
        Proc pull = harness.onTerminal("pull-tty", "pull", server.address("src"), replica.toString(), "--once",
                "--stats", "--max-rate", "8MiB/s");
        assertEquals(0, harness.awaitExit(pull, RUN), pull.tails());
        String terminal = pull.stdout();
        List<String> frames = frames(terminal);
        assertFrames(frames, "hashing the replica", false, terminal);
        assertFrames(frames, "receiving", true, terminal);
        assertTrue(frames.indexOf(frames.stream().filter(f -> f.contains("receiving")).findFirst().orElseThrow())
                > frames.indexOf(frames.stream().filter(f -> f.contains("hashing the replica")).findFirst().orElseThrow()));
        // The line is taken away before the summary, which gives the command's wall time and a rate.
        assertTrue(terminal.contains("\r\033[Ksrc -> " + replica + ": verified identical at epoch 1"), terminal);
        assertTrue(Pattern.compile(", " + AMOUNT + "/s, in [\\d.]+ s \\(wall\\) over 1 epochs").matcher(terminal).find(),
                terminal);
        assertTrue(ProcessHarness.identical(source, replica));
    }

    @Test
    void aPushShowsHashingTheSourceThenSending() throws Exception {
        Proc push = harness.onTerminal("push-tty", "push", source.toString(), server.address("dst"), "--once",
                "--max-rate", "8MiB/s");
        assertEquals(0, harness.awaitExit(push, RUN), push.tails());
        String terminal = push.stdout();
        List<String> frames = frames(terminal);
        assertFrames(frames, "hashing the source", false, terminal);
        assertFrames(frames, "sending", true, terminal);
        assertTrue(frames.stream().anyMatch(f -> f.matches("dst  hashing the replica \\(on the server\\)  \\d+:\\d\\d")),
                frames.toString());
    }

    @Test
    void noProgressOnATerminalDrawsNothingAndProgressWithoutOneDraws() throws Exception {
        Proc quiet = harness.onTerminal("pull-no-progress", "pull", server.address("src"),
                dir.resolve("quiet.bin").toString(), "--once", "--no-progress");
        assertEquals(0, harness.awaitExit(quiet, RUN), quiet.tails());
        assertEquals(List.of(), frames(quiet.stdout()));

        Proc forced = harness.run(RUN, "pull-progress", "pull", server.address("src"), dir.resolve("forced.bin").toString(),
                "--once", "--progress");
        assertEquals(0, forced.process().exitValue(), forced.tails());
        assertFalse(frames(forced.stderr()).isEmpty(), forced.stderr());
    }
}
