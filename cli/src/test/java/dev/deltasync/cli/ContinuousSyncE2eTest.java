package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.await;
import static dev.deltasync.cli.ProcessHarness.describeMismatch;
import static dev.deltasync.cli.ProcessHarness.identical;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real processes on loopback: serve, a following push or pull (no --once), and writer processes that
 * change pages of the source file through their own mappings. After the writers stop, the running
 * client alone must bring every replica to byte-for-byte equality.
 */
class ContinuousSyncE2eTest extends ProcessTest {
    private static final long MIB = 1024 * 1024;
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(300);
    private static final Pattern WROTE = Pattern.compile("wrote (\\d+) pages");

    @Test
    @Timeout(240)
    void continuousPushOf256MiBFollowsAWriterUntilIdentical() throws Exception {
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        ProcessHarness.randomFile(source, 256 * MIB, 1);
        Server server = harness.serve(START, "--region", "r=" + replica + ":rw");
        Proc push = harness.deltasync("push", "push", source.toString(), server.address("r"),
                "--interval", "200ms", "--json");

        awaitIdentical(List.of(replica), source, List.of(push), server);
        followWriters(List.of(source), 3, 300, List.of(replica), List.of(push), server);
        assertStopsOnSignal(push);
    }

    @Test
    @Timeout(240)
    void continuousPullOf256MiBFollowsAWriterOnTheServerUntilIdentical() throws Exception {
        Path source = dir.resolve("served.bin");
        Path replica = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(source, 256 * MIB, 2);
        Server server = harness.serve(START, "--region", "s=" + source + ":ro", "--interval", "200ms");
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), replica.toString(), "--json");

        awaitIdentical(List.of(replica), source, List.of(pull), server);
        followWriters(List.of(source), 3, 300, List.of(replica), List.of(pull), server);
        assertStopsOnSignal(pull);
    }

    @Test
    @Timeout(180)
    void onePushOfThreeRegionsOnOneConnectionConvergesOnAll() throws Exception {
        List<Path> sources = new ArrayList<>();
        List<Path> replicas = new ArrayList<>();
        List<String> serveArgs = new ArrayList<>();
        List<String> pushArgs = new ArrayList<>(List.of("push"));
        Server server = null;
        for (int i = 0; i < 3; i++) {
            Path source = dir.resolve("source" + i + ".bin");
            ProcessHarness.randomFile(source, 32 * MIB, 10 + i);
            sources.add(source);
            replicas.add(dir.resolve("replica" + i + ".bin"));
            serveArgs.addAll(List.of("--region", "r" + i + "=" + replicas.get(i) + ":rw"));
        }
        server = harness.serve(START, serveArgs.toArray(String[]::new));
        for (int i = 0; i < 3; i++) {
            pushArgs.addAll(List.of(sources.get(i).toString(), server.address("r" + i)));
        }
        pushArgs.addAll(List.of("--interval", "200ms", "--json"));
        Proc push = harness.deltasync("push", pushArgs.toArray(String[]::new));

        for (int i = 0; i < 3; i++) {
            awaitIdentical(List.of(replicas.get(i)), sources.get(i), List.of(push), server);
        }
        followWriters(sources, 3, 150, replicas, List.of(push), server);
        // One connection: the server logged three push streams, all on it (stream ids 1, 3, 5 or similar).
        long started = server.proc().stderr().lines().filter(l -> l.contains(": started (stream")).count();
        assertEquals(3, started, "server should log exactly three streams for one push of three pairs"
                + server.proc().tails());
        assertStopsOnSignal(push);
    }

    @Test
    @Timeout(180)
    void threePullersOfOneRegionAllConverge() throws Exception {
        Path source = dir.resolve("served.bin");
        ProcessHarness.randomFile(source, 32 * MIB, 20);
        Server server = harness.serve(START, "--region", "s=" + source + ":ro", "--interval", "200ms");
        List<Path> replicas = new ArrayList<>();
        List<Proc> pulls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replicas.add(dir.resolve("pulled" + i + ".bin"));
            pulls.add(harness.deltasync("pull" + i, "pull", server.address("s"), replicas.get(i).toString(),
                    "--json"));
        }
        awaitIdentical(replicas, source, pulls, server);
        // The writer changes the source once, for all three pullers: one writer, three replicas.
        List<Path> sources = List.of(source);
        followWriters(sources, 3, 200, replicas, pulls, server);
        for (Proc pull : pulls) {
            assertStopsOnSignal(pull);
        }
    }

    @Test
    @Timeout(180)
    void followingClientsOutliveAServerRestartAndConvergeAgain() throws Exception {
        Path source = dir.resolve("source.bin");
        Path served = dir.resolve("served.bin");
        ProcessHarness.randomFile(source, 8 * MIB, 30);
        ProcessHarness.randomFile(served, 8 * MIB, 31);
        Path replica = dir.resolve("replica.bin");
        Path pulled = dir.resolve("pulled.bin");
        String[] regions = {"--region", "r=" + replica + ":rw", "--region", "s=" + served, "--interval", "200ms"};
        Server server = harness.serve(START, regions);
        Proc push = harness.deltasync("push", "push", source.toString(), server.address("r"), "--interval", "200ms");
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), pulled.toString());
        awaitIdentical(List.of(replica), source, List.of(push, pull), server);
        awaitIdentical(List.of(pulled), served, List.of(push, pull), server);

        server.proc().process().destroyForcibly();
        harness.awaitExit(server.proc(), Duration.ofSeconds(20));
        // While the server is down both sources change; the clients must keep trying, not exit.
        for (Proc writer : List.of(harness.writer(source, 1, 200, 40), harness.writer(served, 1, 200, 41))) {
            assertEquals(0, harness.awaitExit(writer, Duration.ofSeconds(60)), writer.tails());
        }
        for (Proc client : List.of(push, pull)) {
            assertTrue(client.alive(), "a following client must survive the server going away" + client.tails());
        }
        Server restarted = harness.serveOn(server.port(), START, regions);
        awaitIdentical(List.of(replica), source, List.of(push, pull), restarted);
        awaitIdentical(List.of(pulled), served, List.of(push, pull), restarted);
        assertStopsOnSignal(push);
        assertStopsOnSignal(pull);
    }

    /**
     * Runs one writer per source for {@code seconds}, checks each exited 0 having written pages, then waits
     * until every replica equals its source (replicas.get(i) follows sources.get(min(i, last))), with every
     * client still running at that moment.
     */
    private void followWriters(List<Path> sources, int seconds, int pagesPerSecond, List<Path> replicas,
                               List<Proc> clients, Server server) throws Exception {
        List<Proc> writers = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            writers.add(harness.writer(sources.get(i), seconds, pagesPerSecond, 100 + i));
        }
        for (Proc writer : writers) {
            int code = harness.awaitExit(writer, Duration.ofSeconds(seconds + 60L));
            assertEquals(0, code, "writer failed" + writer.tails());
            Matcher m = WROTE.matcher(writer.stdout());
            assertTrue(m.find(), "writer printed no count" + writer.tails());
            assertTrue(Long.parseLong(m.group(1)) > pagesPerSecond, "writer wrote too few pages" + writer.tails());
        }
        for (int i = 0; i < replicas.size(); i++) {
            awaitIdentical(List.of(replicas.get(i)), sources.get(Math.min(i, sources.size() - 1)), clients, server);
        }
        for (Proc client : clients) {
            assertTrue(client.alive(), "the following client must still be running" + client.tails());
            assertTrue(client.stdout().contains("\"type\":\"epoch\""),
                    "a following client with --json prints one line per epoch" + client.tails());
        }
    }

    /** Polls until every replica equals the source, failing early if a client or the server died. */
    private void awaitIdentical(List<Path> replicas, Path source, List<Proc> clients, Server server)
            throws InterruptedException {
        await(CONVERGE, POLL, () -> {
            for (Proc client : clients) {
                assertTrue(client.alive(), "client exited while following" + client.tails() + server.proc().tails());
            }
            assertTrue(server.proc().alive(), "server exited" + server.proc().tails());
            return replicas.stream().allMatch(r -> identical(source, r));
        }, () -> replicas.stream().map(r -> describeMismatch(source, r)).collect(Collectors.joining("; "))
                + harness.allTails());
    }

    /** SIGTERM stops a following client promptly (its shutdown hook closes the connection). */
    private void assertStopsOnSignal(Proc client) throws InterruptedException {
        client.process().destroy();
        harness.awaitExit(client, Duration.ofSeconds(20));
    }
}
