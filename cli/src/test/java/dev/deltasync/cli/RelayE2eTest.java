package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.await;
import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import dev.deltasync.peer.Identity;
import dev.deltasync.sync.ReplicaState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Relays with real processes on loopback: A serves, B pulls from A with --serve, C (and D) pull from B; a writer
 * changes A's file; once it stops, every replica converges byte for byte and is verified.
 */
class RelayE2eTest extends ProcessTest {
    private static final long MIB = 1024 * 1024;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration CONVERGE = Duration.ofSeconds(180);
    private static final Duration POLL = Duration.ofMillis(300);
    private static final Pattern RELAYING = Pattern.compile("relaying, listening on 127\\.0\\.0\\.1:(\\d+) \\(");

    @Test
    @Timeout(360)
    void aChainOfTlsRelaysFollowsAWriterOnTheSourceAndForwardsItsSourceTimes() throws Exception {
        Path keys = dir.resolve("keys");
        String a = Identity.generate(keys.resolve("a"), false).fingerprint().toString();
        String b = Identity.generate(keys.resolve("b"), false).fingerprint().toString();
        String c = Identity.generate(keys.resolve("c"), false).fingerprint().toString();
        Path source = dir.resolve("a.img");
        Path relayed = dir.resolve("b.img");
        Path downstream = dir.resolve("c.img");
        ProcessHarness.randomFile(source, 16 * MIB, 1);
        Server upstream = harness.serve(START, "--identity", keys.resolve("a").toString(), "--peer-fingerprint", b,
                "--region", "vm=" + source + ":ro", "--interval", "200ms");
        Proc relay = harness.deltasync("relay", "pull", upstream.address("vm"), relayed.toString(),
                "--identity", keys.resolve("b").toString(), "--peer-fingerprint", a, "--serve", "127.0.0.1:0",
                "--allow", "vm=pull:" + c, "--interval", "200ms", "-v");
        int relayPort = relayPort(relay);
        Proc pull = harness.deltasync("c", "pull", "127.0.0.1:" + relayPort + "/vm", downstream.toString(),
                "--identity", keys.resolve("c").toString(), "--peer-fingerprint", b, "--json");
        List<Proc> all = List.of(upstream.proc(), relay, pull);

        awaitVerified(source, List.of(relayed, downstream), all);
        followWriter(source, List.of(relayed, downstream), all);

        // C is as far behind A as its source times say: they are A's, forwarded by B, never later than B's own.
        ReplicaState ofC = ReplicaState.read(downstream).orElseThrow();
        ReplicaState ofB = ReplicaState.read(relayed).orElseThrow();
        assertTrue(ofC.sourceTime().isPresent(), "the downstream replica records a source time");
        assertFalse(ofC.sourceTime().get().isAfter(ofB.sourceTime().orElseThrow()),
                "C's source time " + ofC.sourceTime() + " is later than its relay's " + ofB.sourceTime());
        assertTrue(relay.stderr().contains("behind this relay"), "-v logs each downstream epoch's lag per hop"
                + relay.tails());
    }

    @Test
    @Timeout(360)
    void oneRelayFeedsTwoDownstreamPullersUntilAllAreIdentical() throws Exception {
        Path source = dir.resolve("a.img");
        Path relayed = dir.resolve("b.img");
        List<Path> downstream = List.of(dir.resolve("c.img"), dir.resolve("d.img"));
        ProcessHarness.randomFile(source, 16 * MIB, 2);
        Server upstream = harness.serve(START, "--insecure", "--region", "vm=" + source + ":ro", "--interval", "200ms");
        Proc relay = harness.deltasync("relay", "pull", "--insecure", upstream.address("vm"), relayed.toString(),
                "--serve", "127.0.0.1:0", "--serve-as", "copy", "--interval", "200ms");
        int relayPort = relayPort(relay);
        List<Proc> all = new ArrayList<>(List.of(upstream.proc(), relay));
        for (Path replica : downstream) {
            all.add(harness.deltasync(replica.getFileName().toString(), "pull", "--insecure",
                    "127.0.0.1:" + relayPort + "/copy", replica.toString()));
        }
        List<Path> replicas = Stream.concat(Stream.of(relayed), downstream.stream()).toList();

        awaitVerified(source, replicas, all);
        followWriter(source, replicas, all);
        // Pullers that came before the relay's first verified epoch were refused for now, and retried: two streams
        // serve them now, and no other ended.
        List<String> streams = relay.stderr().lines().filter(line -> line.contains("pull of 'copy'")).toList();
        long started = streams.stream().filter(line -> line.contains(": started (stream")).count();
        long refused = streams.stream().filter(line -> line.contains(": ended (stream")
                && line.contains("REFUSED_STREAM: region 'copy' is relayed and has no verified epoch")).count();
        long ended = streams.stream().filter(line -> line.contains(": ended (stream")).count();
        assertEquals(refused, ended, "only refusals ended a downstream stream" + relay.tails());
        assertEquals(2, started - refused, "two downstream streams serve the two pullers" + relay.tails());
    }

    /** Waits for the relay's "relaying, listening on" line; the port it bound. */
    private int relayPort(Proc relay) throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = RELAYING.matcher(relay.stderr());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(relay.alive(), "the relay exited before listening" + relay.tails());
            Thread.sleep(50);
        }
        fail("the relay did not print 'relaying, listening on' within " + START + relay.tails());
        return -1;
    }

    /** Runs a writer on {@code source} for 3 s, then waits until every replica equals it and is verified. */
    private void followWriter(Path source, List<Path> replicas, List<Proc> all) throws Exception {
        Proc writer = harness.writer(source, 3, 200, 100);
        assertEquals(0, harness.awaitExit(writer, Duration.ofSeconds(90)), "writer failed" + writer.tails());
        assertTrue(writer.stdout().contains("wrote "), "writer printed no count" + writer.tails());
        awaitVerified(source, replicas, all);
    }

    private void awaitVerified(Path source, List<Path> replicas, List<Proc> all) throws InterruptedException {
        await(CONVERGE, POLL, () -> {
            for (Proc proc : all) {
                assertTrue(proc.alive(), proc.name() + " exited" + proc.tails());
            }
            return replicas.stream().allMatch(replica -> identical(source, replica) && verified(replica));
        }, () -> replicas.stream().map(r -> describeMismatch(source, r) + " " + state(r))
                .collect(Collectors.joining("; ")) + harness.allTails());
    }

    private static boolean verified(Path replica) {
        return state(replica).map(s -> s.phase() == ReplicaState.Phase.VERIFIED).orElse(false);
    }

    private static Optional<ReplicaState> state(Path replica) {
        try {
            return ReplicaState.read(replica);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
