package dev.deltasync.cli;

import static dev.deltasync.cli.ProcessHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --metrics}: real serve and pull processes over TLS, each endpoint scraped over HTTP while they sync. */
class MetricsE2eTest extends ProcessTest {
    private static final Pattern URL = Pattern.compile("metrics(?::| on) (http://127\\.0\\.0\\.1:\\d+/metrics)");
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Timeout(180)
    void serveAndAFollowingPullServeMetricsThatMoveWhileTheSourceChanges() throws Exception {
        Path source = dir.resolve("served.bin");
        Path replica = dir.resolve("pulled.bin");
        ProcessHarness.randomFile(source, 16 << 20, 21);
        Server server = harness.serve(Duration.ofSeconds(30), "--region", "s=" + source + ":ro", "--interval", "200ms",
                "--metrics", "127.0.0.1:0");
        Proc pull = harness.deltasync("pull", "pull", server.address("s"), replica.toString(), "--metrics",
                "127.0.0.1:0");
        String serverUrl = url(server.proc());
        String pullUrl = url(pull);
        String peer = "127.0.0.1:" + server.port();
        String replicaSeries = "{peer=\"" + peer + "\",region=\"s\",side=\"replica\"}";

        await(PATIENCE, Duration.ofMillis(300), () -> value(scrape(pullUrl), "deltasync_verified_epochs_total"
                + replicaSeries) >= 1, pull::tails);
        String before = scrape(pullUrl);
        Proc writer = harness.writer(source, 4, 200, 5);
        await(PATIENCE, Duration.ofMillis(300), () -> {
            String now = scrape(pullUrl);
            return value(now, "deltasync_chunks_received_total" + replicaSeries)
                    > value(before, "deltasync_chunks_received_total" + replicaSeries)
                    && value(now, "deltasync_epochs_total" + replicaSeries)
                    > value(before, "deltasync_epochs_total" + replicaSeries);
        }, () -> scrape(pullUrl) + pull.tails());
        harness.awaitExit(writer, PATIENCE);
        String after = scrape(pullUrl);
        assertTrue(value(after, "deltasync_raw_bytes_received_total" + replicaSeries) >= 16 << 20, after);
        assertEquals(1, value(after, "deltasync_connected_peers"), after);
        // Protocol v2 tells the replica when the source scanned what it verified: its lag is measured from that.
        assertTrue(after.lines().anyMatch(l -> l.matches("deltasync_lag_seconds\\Q" + replicaSeries
                + "\\E -?\\d+\\.\\d+(E-?\\d+)?")), after);

        String ofServer = scrape(serverUrl);
        assertTrue(ofServer.contains("deltasync_chunks_sent_total{peer=\"SHA256:"), "a TLS client is its fingerprint\n"
                + ofServer);
        assertTrue(ofServer.contains("# HELP deltasync_scan_seconds_total"), ofServer);
        // The source knows when it scanned what its replica verified: its lag is measured from that.
        assertTrue(ofServer.lines().anyMatch(l -> l.matches("deltasync_lag_seconds\\{peer=\"SHA256:\\w+\","
                + "region=\"s\",side=\"source\"} \\d+\\.\\d+(E-?\\d+)?")), ofServer);
        assertEquals(1, value(ofServer, "deltasync_connected_peers"), ofServer);
        System.out.println("MetricsE2eTest: a scrape of the pull during the sync:\n" + after);
    }

    @Test
    void aMetricsAddressThatIsNoAddressIsAUsageError() throws Exception {
        MainTest.Run r = MainTest.run("pull", "127.0.0.1:1/s", dir.resolve("x.bin").toString(), "--insecure",
                "--metrics", "9470");
        assertEquals(2, r.code(), r.err());
        assertEquals("deltasync pull: --metrics takes HOST:PORT, e.g. 127.0.0.1:9470, not '9470'",
                r.err().lines().filter(l -> !l.contains("WARNING")).findFirst().orElse(""), r.err());
    }

    @Test
    @Timeout(60) // a serve that did start would block: the timeout's interrupt ends it
    void aBusyMetricsPortIsOneLineAndAFailure() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MainTest.Run r = MainTest.run("serve", "--region", "s=" + dir.resolve("s.bin") + ":rw", "--insecure",
                    "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:" + busy.getLocalPort());
            assertEquals(1, r.code(), r.err());
            String line = r.err().lines().filter(l -> l.startsWith("deltasync serve:")).findFirst().orElse("");
            assertEquals("deltasync serve: --metrics 127.0.0.1:" + busy.getLocalPort() + ": cannot listen there: address"
                    + " already in use (pick another port, or an address of this machine)", line, r.err());
            assertTrue(!r.err().contains("listening on"), "nothing was served\n" + r.err());
        }
    }

    private static String url(Proc proc) throws InterruptedException {
        Matcher[] found = new Matcher[1];
        await(Duration.ofSeconds(30), Duration.ofMillis(100), () -> (found[0] = URL.matcher(proc.stderr())).find(),
                proc::tails);
        return found[0].group(1);
    }

    private String scrape(String url) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The value of the sample whose name and labels are exactly {@code series}; 0 when there is none. */
    private static double value(String text, String series) {
        return text.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElse(0);
    }
}
