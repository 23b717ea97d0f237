package dev.deltasync.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.Follower;
import dev.deltasync.sync.JobResult;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.SyncClient;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import dev.deltasync.sync.SyncServer;
import dev.deltasync.sync.codec.Compression;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A continuous pull between a real server and a following client on loopback, both recording metrics, each
 * endpoint scraped over HTTP (java.net.http), the source changed before each scrape: the counters move, lag is
 * measured, and a server restart and a refused stream show in their series.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsScrapeTest {
    private static final int CHUNK = 65536;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final SyncOptions FOLLOW = new SyncOptions(CHUNK, HashAlgorithm.XXH3_128,
            Compression.ZSTD_DEFAULT, Duration.ZERO, false, false, 1);

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private final SyncMetrics serverMetrics = new SyncMetrics();
    private final SyncMetrics clientMetrics = new SyncMetrics();
    private MetricsEndpoint serverEndpoint;
    private MetricsEndpoint clientEndpoint;
    private SyncServer server;
    private Follower follower;
    /** The source file, written into before each scrape so that epochs keep coming; null until the sync runs. */
    private FileChannel source;
    private final SplittableRandom random = new SplittableRandom(4);

    @AfterEach
    void stopEverything() {
        if (follower != null) {
            follower.stop();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {server, serverEndpoint, clientEndpoint, source}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void countersMoveDuringASyncAndAReconnectAndARefusedStreamShow() throws Exception {
        byte[] bytes = new byte[16 * CHUNK];
        new SplittableRandom(3).nextBytes(bytes);
        Path source = Files.write(dir.resolve("source.bin"), bytes);
        Path replica = dir.resolve("replica.bin");
        List<ExposedRegion> regions = List.of(new ExposedRegion("vm", source, true));
        int port = freePort();
        String peer = "127.0.0.1:" + port;
        server = startServer(port, regions);
        serverEndpoint = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, serverMetrics);
        clientEndpoint = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, clientMetrics);
        follower = new Follower("127.0.0.1", port, Security.insecure(), FOLLOW,
                clientMetrics.recording(SyncListener.SILENT, peer), Duration.ofMillis(100), Duration.ofMillis(400));
        CompletableFuture<List<JobResult>> running = CompletableFuture.supplyAsync(() -> {
            try {
                return follower.run(List.of(new SyncJob(SyncJob.Direction.PULL, replica, "vm")));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        this.source = FileChannel.open(source, StandardOpenOption.WRITE);

        Map<String, String> replicaSide = Map.of("region", "vm", "peer", peer, "side", "replica");
        Scrape first = awaitScrape(clientEndpoint, s -> s.value("deltasync_epochs_total", replicaSide) >= 2);
        Scrape later = awaitScrape(clientEndpoint,
                s -> s.value("deltasync_epochs_total", replicaSide) > first.value("deltasync_epochs_total", replicaSide)
                        && s.value("deltasync_raw_bytes_received_total", replicaSide)
                        > first.value("deltasync_raw_bytes_received_total", replicaSide));
        assertTrue(later.value("deltasync_verified_epochs_total", replicaSide) >= 1, later.text);
        assertTrue(later.value("deltasync_chunks_received_total", replicaSide) >= 16, "the first sync sent all 16"
                + later.text);
        assertTrue(later.value("deltasync_wire_bytes_received_total", replicaSide)
                > later.value("deltasync_raw_bytes_received_total", replicaSide) / 2, later.text);
        assertTrue(later.value("deltasync_apply_seconds_total", replicaSide) > 0, later.text);
        assertEquals(1, later.value("deltasync_connected_peers", Map.of()), later.text);
        assertTrue(later.text.lines().anyMatch(line -> Scrape.matches(line, "deltasync_lag_seconds", replicaSide, true)),
                "the replica's lag, from the source time protocol v2 sends with each epoch\n" + later.text);

        Map<String, String> sourceSide = Map.of("region", "vm", "peer", "127.0.0.1", "side", "source");
        Scrape ofServer = awaitScrape(serverEndpoint, s -> s.value("deltasync_chunks_sent_total", sourceSide) >= 16);
        assertTrue(ofServer.value("deltasync_epochs_total", sourceSide) >= 1, ofServer.text);
        assertTrue(ofServer.value("deltasync_scan_seconds_total", sourceSide) > 0, ofServer.text);
        assertTrue(ofServer.value("deltasync_scanned_bytes_total", sourceSide) >= bytes.length, ofServer.text);
        assertTrue(ofServer.value("deltasync_raw_bytes_sent_total", sourceSide) >= bytes.length, ofServer.text);
        assertTrue(ofServer.text.lines().anyMatch(line -> line.startsWith("deltasync_lag_seconds{")
                && Scrape.matches(line, "deltasync_lag_seconds", sourceSide, true) && Scrape.number(line) >= 0),
                "the source's lag is measured from the scan its replica verified\n" + ofServer.text);
        assertTrue(ofServer.text.contains("# TYPE deltasync_epochs_total counter"), ofServer.text);
        // A scraper that prefers protobuf (Prometheus with native histograms) is answered, not refused.
        HttpResponse<String> protobufFirst = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + serverEndpoint.port() + "/metrics")).header("Accept", "application/vnd.google.protobuf;"
                + "proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.9,text/plain;version=0.0.4;q=0.5")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, protobufFirst.statusCode());
        assertTrue(protobufFirst.headers().firstValue("Content-Type").orElse("").contains("protobuf"),
                protobufFirst.headers().toString());
        assertTrue(protobufFirst.body().contains("deltasync_chunks_sent_total"), protobufFirst.body());

        server.close(); // the client loses its connection, then reconnects to a new server on the same port
        awaitScrape(clientEndpoint, s -> s.value("deltasync_connected_peers", Map.of()) == 0);
        server = startServer(port, regions);
        double epochsBefore = awaitScrape(clientEndpoint, s -> true).value("deltasync_epochs_total", replicaSide);
        Scrape reconnected = awaitScrape(clientEndpoint,
                s -> s.value("deltasync_reconnects_total", Map.of("peer", peer)) == 1
                && s.value("deltasync_epochs_total", replicaSide) > epochsBefore);
        assertEquals(1, reconnected.value("deltasync_connected_peers", Map.of()), reconnected.text);
        assertTrue(reconnected.sum("deltasync_disconnects_total", Map.of("peer", peer)) >= 1, reconnected.text);

        try (SyncClient stranger = SyncClient.connect("127.0.0.1", port, Security.insecure())) {
            JobResult refused = stranger.runAll(List.of(new SyncJob(SyncJob.Direction.PULL, dir.resolve("other.bin"),
                    "nope")), FOLLOW, clientMetrics.recording(SyncListener.SILENT, peer)).getFirst();
            assertEquals(ErrorCode.UNKNOWN_REGION, refused.failure().code());
        }
        awaitScrape(serverEndpoint, s -> s.value("deltasync_stream_errors_total", Map.of("region", "nope",
                "peer", "127.0.0.1", "side", "source", "code", ErrorCode.UNKNOWN_REGION.name())) == 1);
        awaitScrape(clientEndpoint, s -> s.value("deltasync_stream_errors_total", Map.of("region", "nope",
                "peer", peer, "side", "replica", "code", ErrorCode.UNKNOWN_REGION.name())) == 1); // the client's end
        follower.stop();
        running.get(30, TimeUnit.SECONDS);
    }

    private SyncServer startServer(int port, List<ExposedRegion> regions) throws Exception {
        return SyncServer.start("127.0.0.1", port, regions, new ServerOptions(Duration.ofMillis(100),
                Compression.ZSTD_DEFAULT, 1, Security.insecure()), serverMetrics.recording(SyncListener.SILENT, null));
    }

    /** Scrapes {@code endpoint} until {@code condition} holds of what it serves. */
    private Scrape awaitScrape(MetricsEndpoint endpoint, Predicate<Scrape> condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Scrape scrape;
        do {
            if (source != null) { // 8 random bytes at the start of a random chunk
                byte[] change = new byte[8];
                random.nextBytes(change);
                source.write(ByteBuffer.wrap(change), (long) random.nextInt(16) * CHUNK);
            }
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            scrape = new Scrape(response.body());
            if (condition.test(scrape)) {
                return scrape;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        fail("not scraped within " + PATIENCE + ":\n" + scrape.text);
        return null;
    }

    /** One scrape's text, read the way Prometheus reads it: {@code name{label="value",...} number} per line. */
    record Scrape(String text) {
        /** The sample of {@code name} whose labels are exactly {@code labels}; 0 if there is none yet. */
        double value(String name, Map<String, String> labels) {
            return text.lines().filter(line -> matches(line, name, labels, true)).mapToDouble(Scrape::number)
                    .findFirst().orElse(0);
        }

        /** The sum of the samples of {@code name} whose labels include {@code labels}. */
        double sum(String name, Map<String, String> labels) {
            return text.lines().filter(line -> matches(line, name, labels, false)).mapToDouble(Scrape::number).sum();
        }

        static boolean matches(String line, String name, Map<String, String> labels, boolean exactly) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                return false;
            }
            String inside = line.contains("{") ? line.substring(line.indexOf('{') + 1, line.lastIndexOf('}')) : "";
            List<String> pairs = inside.isEmpty() ? List.of() : List.of(inside.split(","));
            return (!exactly || pairs.size() == labels.size())
                    && labels.entrySet().stream()
                    .allMatch(l -> pairs.contains(l.getKey() + "=\"" + l.getValue() + "\""));
        }

        static double number(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
