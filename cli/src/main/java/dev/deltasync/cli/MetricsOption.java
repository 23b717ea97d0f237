package dev.deltasync.cli;

import dev.deltasync.metrics.MetricsEndpoint;
import dev.deltasync.metrics.SyncMetrics;
import dev.deltasync.peer.HostPort;
import dev.deltasync.sync.SyncListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/** {@code --metrics HOST:PORT} of serve, push and pull: Prometheus metrics of the sync over HTTP (README, Metrics). */
final class MetricsOption implements AutoCloseable {
    static final Option OPTION = Option.builder().longOpt("metrics").hasArg().argName("HOST:PORT")
            .desc("serve Prometheus metrics at http://HOST:PORT/metrics (127.0.0.1:9470: this machine only;"
                    + " 0.0.0.0:9470: every interface; port 0: any free port, printed at start)").get();

    private final SyncMetrics metrics;
    private final MetricsEndpoint endpoint;
    private final String url;

    private MetricsOption(SyncMetrics metrics, MetricsEndpoint endpoint, String url) {
        this.metrics = metrics;
        this.endpoint = endpoint;
        this.url = url;
    }

    /** The endpoint {@code --metrics} names, listening; one that records nothing without the option. */
    static MetricsOption start(CommandLine line) {
        if (!line.hasOption(OPTION)) {
            return new MetricsOption(null, null, null);
        }
        String text = line.getOptionValue(OPTION);
        if (!text.matches(".*:\\d{1,5}")) {
            throw CliException.usage("--metrics takes HOST:PORT, e.g. 127.0.0.1:9470, not '" + text + "'");
        }
        RemoteAddress address = orMetricsError(() -> RemoteAddress.parseListen(text));
        InetAddress host;
        try {
            host = InetAddress.getByName(address.host());
        } catch (UnknownHostException e) {
            throw CliException.usage("--metrics " + text + ": unknown host '" + address.host() + "'");
        }
        SyncMetrics metrics = new SyncMetrics();
        MetricsEndpoint endpoint;
        try {
            endpoint = MetricsEndpoint.start(host, address.port(), metrics);
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILURE, "--metrics " + text + ": cannot listen there: "
                    + describe(e) + " (pick another port, or an address of this machine)", e);
        }
        String url = "http://" + HostPort.format(address.host(), endpoint.port()) + "/metrics";
        return new MetricsOption(metrics, endpoint, url);
    }

    /**
     * {@code events}, also recorded into the metrics when there are any.
     *
     * @param server a client's server as dialled; null on a server
     */
    SyncListener around(SyncListener events, String server) {
        return metrics == null ? events : metrics.recording(events, server);
    }

    /** Where the metrics are served, if they are. */
    Optional<String> url() {
        return Optional.ofNullable(url);
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private static RemoteAddress orMetricsError(java.util.function.Supplier<RemoteAddress> parse) {
        try {
            return parse.get();
        } catch (CliException e) {
            throw CliException.usage("--metrics: " + e.getMessage());
        }
    }

    /** The OS's words for a bind failure, as a clause: "address already in use". */
    private static String describe(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return message.isEmpty() ? "cannot bind"
                : message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
    }
}
