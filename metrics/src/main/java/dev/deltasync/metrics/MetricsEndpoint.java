package dev.deltasync.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The HTTP endpoint Prometheus scrapes: {@code GET /metrics} in the Prometheus text format (or OpenMetrics, as the
 * scraper asks), served by the Prometheus client's own server on daemon threads.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /**
     * Listens on {@code address:port} (0: any free port, see {@link #port()}).
     *
     * @throws IOException when the address cannot be bound (in use, not an address of this machine)
     */
    public static MetricsEndpoint start(InetAddress address, int port, SyncMetrics metrics) throws IOException {
        return new MetricsEndpoint(HTTPServer.builder().inetAddress(address).port(port).registry(metrics.registry())
                .buildAndStart());
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
