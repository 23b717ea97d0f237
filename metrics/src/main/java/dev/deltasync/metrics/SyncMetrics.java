package dev.deltasync.metrics;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.SyncListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Prometheus series of one deltasync process (README, "Metrics"), fed by the engine's listener events through
 * {@link #recording}. Per stream the labels are {@code region}, {@code peer} and {@code side} (this process's end:
 * source or replica); {@code peer} is the server as dialled on a client, and on a server the client's certificate
 * fingerprint, or its IP address on a plaintext connection, so a reconnecting client keeps its series.
 */
public final class SyncMetrics {
    static final String[] STREAM = {"region", "peer", "side"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter epochs = counter("deltasync_epochs_total", "Epochs completed (acknowledged by the replica)", STREAM);
    final Counter verifiedEpochs = counter("deltasync_verified_epochs_total",
            "Epochs whose replica root digest matched the source's", STREAM);
    final Gauge verifiedEpoch = gauge("deltasync_verified_epoch",
            "Number (in its lineage) of the last epoch the replica verified", STREAM);
    final Counter chunksSent = counter("deltasync_chunks_sent_total", "Changed chunks a source sent", STREAM);
    final Counter chunksReceived = counter("deltasync_chunks_received_total",
            "Changed chunks a replica received and wrote", STREAM);
    final Counter rawBytesSent = counter("deltasync_raw_bytes_sent_total",
            "Bytes of the changed chunks a source sent, before compression", STREAM);
    final Counter rawBytesReceived = counter("deltasync_raw_bytes_received_total",
            "Bytes of the changed chunks a replica received, after decompression", STREAM);
    final Counter wireBytesSent = counter("deltasync_wire_bytes_sent_total",
            "Bytes of all frames sent on the stream, headers included (what crossed the wire)", STREAM);
    final Counter wireBytesReceived = counter("deltasync_wire_bytes_received_total",
            "Bytes of all frames received on the stream, headers included", STREAM);
    final Counter scannedBytes = counter("deltasync_scanned_bytes_total",
            "Bytes of this side's region hashed by scans", STREAM);
    final Counter scanSeconds = counter("deltasync_scan_seconds_total",
            "Time spent in scans (msync and hashing) of this side's region", STREAM);
    final Counter applySeconds = counter("deltasync_apply_seconds_total",
            "A replica's time from each epoch's first frame to its acknowledgement (write, flush, hash)", STREAM);
    final Counter streamErrors = counter("deltasync_stream_errors_total",
            "Streams that ended with an error, by the protocol's error code: a server's, and each of a client's regions",
            "region", "peer", "side", "code");
    final Counter disconnects = counter("deltasync_disconnects_total",
            "Connections that ended, by the code of what ended them (NO_ERROR: closed cleanly)", "peer", "code");
    final Counter reconnects = counter("deltasync_reconnects_total",
            "Connections a following client made again after losing one", "peer");
    final Gauge connectedPeers = gauge("deltasync_connected_peers", "Connections up now (both HELLOs done)");
    final Gauge scanMode = gauge("deltasync_scan_mode",
            "1 for how an embedded source finds what changed now (tracked or scanning), with the reason", "region",
            "mode", "reason");
    /** Per region, the labels of its one {@link #scanMode} series: a change of mode replaces it. */
    private final Map<String, String[]> scanModes = new ConcurrentHashMap<>();
    /** Per stream's labels, the source time of the epoch its replica last verified; what lag is measured from. */
    private final Map<List<String>, Instant> verifiedSourceTimes = new ConcurrentHashMap<>();

    public SyncMetrics() {
        GaugeWithCallback.builder().name("deltasync_lag_seconds")
                .help("How far the replica is behind: now minus the source's scan time of the epoch it last verified, or 0"
                        + " when the source's clock is ahead")
                .labelNames(STREAM)
                .callback(callback -> verifiedSourceTimes.forEach((labels, time) -> callback.call(
                        EpochReport.lagBetween(time, Instant.now()).toNanos() / 1e9, labels.toArray(String[]::new))))
                .register(registry);
    }

    /**
     * A listener that records what it hears and passes every event on to {@code next}.
     *
     * @param server a client's server as dialled ({@code 10.0.0.1:7070}), the {@code peer} of its series; null on a
     *               server, whose streams each name their peer ({@link SyncListener#forStream})
     */
    public SyncListener recording(SyncListener next, String server) {
        return new Recorder(next, this, server);
    }

    /** Everything recorded, for an exporter. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The stream with these labels has a replica that verified bytes the source scanned at {@code time}. */
    void verifiedAt(List<String> labels, Instant time) {
        verifiedSourceTimes.put(labels, time);
    }

    /** {@code region}'s source now finds what changed this way, for this reason; the previous mode's series goes. */
    void scanMode(String region, ScanMode mode, String why) {
        String[] labels = {region, mode.name().toLowerCase(Locale.ROOT), why};
        scanModes.compute(region, (name, previous) -> {
            if (previous != null) {
                scanMode.remove(previous);
            }
            scanMode.labelValues(labels).set(1);
            return labels;
        });
    }

    /** The stream with these labels is gone: its lag is no longer anyone's. */
    void forget(List<String> labels) {
        verifiedSourceTimes.remove(labels);
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    private Gauge gauge(String name, String help, String... labels) {
        return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
    }
}
