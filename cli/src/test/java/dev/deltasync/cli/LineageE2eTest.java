package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10's "done when", with real processes: a continuous pull across a server restart keeps its epoch numbers
 * rising, and {@code status} names the same lineage before and after.
 */
class LineageE2eTest extends ProcessTest {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Pattern EPOCH = Pattern.compile(
            "\"type\":\"epoch\".*?\"epoch\":(\\d+),\"verified\":(true|false),\"lineage\":\"([0-9a-f]*)\"");
    private static final Pattern STATUS_LINEAGE = Pattern.compile("\"lineage\":\"([0-9a-f]{32})\"");
    private static final Pattern STATUS_VERIFIED_EPOCH = Pattern.compile("\"verified_epoch\":(\\d+)");

    record Epoch(long number, boolean verified, String lineage) { }

    @Test
    @Timeout(240)
    void aContinuousPullAcrossAServerRestartKeepsItsLineageAndItsEpochsRising() throws Exception {
        Path source = dir.resolve("served.bin");
        Path replica = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(source, 1 << 20, 7);
        String[] region = {"--region", "s=" + source + ":ro", "--interval", "200ms"};
        Server server = harness.serve(START, region);
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), replica.toString(), "--json");
        await(WAIT, POLL, () -> epochs(pull).stream().anyMatch(Epoch::verified), pull::tails);
        String before = status(replica);
        String lineage = group(STATUS_LINEAGE, before);
        long verifiedBefore = Long.parseLong(group(STATUS_VERIFIED_EPOCH, before));

        server.proc().process().destroyForcibly();
        harness.awaitExit(server.proc(), Duration.ofSeconds(20));
        int seen = epochs(pull).size();
        Server restarted = harness.serveOn(server.port(), START, region);
        await(WAIT, POLL, () -> epochs(pull).stream().skip(seen).anyMatch(Epoch::verified),
                () -> pull.tails() + restarted.proc().tails());
        String after = status(replica);

        assertEquals(lineage, group(STATUS_LINEAGE, after), "status before:\n" + before + "\nafter:\n" + after);
        assertTrue(Long.parseLong(group(STATUS_VERIFIED_EPOCH, after)) > verifiedBefore, after);
        List<Epoch> epochs = epochs(pull);
        for (int i = 1; i < epochs.size(); i++) {
            assertTrue(epochs.get(i).number() > epochs.get(i - 1).number(), "epochs must keep rising: " + epochs);
        }
        assertTrue(epochs.stream().allMatch(e -> e.lineage().equals(lineage)), lineage + " " + epochs);
        assertTrue(pull.alive(), pull.tails());
    }

    private String status(Path replica) throws Exception {
        Proc status = harness.run(START, "status", "status", replica.toString(), "--json");
        return status.stdout();
    }

    private static List<Epoch> epochs(Proc proc) {
        List<Epoch> epochs = new ArrayList<>();
        Matcher m = EPOCH.matcher(proc.stdout());
        while (m.find()) {
            epochs.add(new Epoch(Long.parseLong(m.group(1)), Boolean.parseBoolean(m.group(2)), m.group(3)));
        }
        return epochs;
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), pattern + " not in: " + text);
        return m.group(1);
    }
}
