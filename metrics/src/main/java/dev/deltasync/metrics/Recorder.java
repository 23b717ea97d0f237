package dev.deltasync.metrics;

import dev.deltasync.sync.ConnectionEvent;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ForwardingListener;
import dev.deltasync.sync.RemotePeer;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.StreamEvent;
import dev.deltasync.sync.SyncException;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Turns listener events into {@link SyncMetrics} series and passes each on. An epoch's report carries its stream's
 * running totals; the counters grow by the difference to the stream's previous report, so the totals of a new
 * stream (a reconnect, another puller) are counted from zero, not twice.
 */
final class Recorder extends ForwardingListener {
    private final SyncMetrics metrics;
    /** The peer label of every stream this recorder hears; null on a server before {@link #forStream}. */
    private final String peer;
    /** Per region and side, the totals of the last epoch report. */
    private final Map<List<String>, SyncStats.Snapshot> last = new ConcurrentHashMap<>();

    Recorder(SyncListener next, SyncMetrics metrics, String peer) {
        super(next);
        this.metrics = metrics;
        this.peer = peer;
    }

    @Override
    public SyncListener forStream(StreamEvent.Started started) {
        return new Recorder(next.forStream(started), metrics, peerLabel(started.peer()));
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        super.epochCompleted(epoch);
        String[] labels = {epoch.region(), peer == null ? "" : peer, side(epoch.side())};
        SyncStats.Snapshot now = epoch.totals();
        SyncStats.Snapshot previous = last.put(List.of(labels), now);
        // A new stream (its first report, or fewer epochs than the last one's) counts from zero.
        Delta delta = new Delta(now, previous == null || previous.epochs() >= now.epochs() ? null : previous);
        metrics.epochs.labelValues(labels).inc();
        if (epoch.verified()) {
            metrics.verifiedEpochs.labelValues(labels).inc();
        }
        if (epoch.verifiedEpoch() > 0) {
            metrics.verifiedEpoch.labelValues(labels).set(epoch.verifiedEpoch());
        }
        epoch.verifiedSourceTime().ifPresent(time -> metrics.verifiedAt(List.of(labels), time));
        boolean source = epoch.side() == Side.SOURCE;
        (source ? metrics.chunksSent : metrics.chunksReceived).labelValues(labels)
                .inc(delta.of(SyncStats.Snapshot::chunksChanged));
        (source ? metrics.rawBytesSent : metrics.rawBytesReceived).labelValues(labels)
                .inc(delta.of(SyncStats.Snapshot::changedBytes));
        metrics.wireBytesSent.labelValues(labels).inc(delta.of(SyncStats.Snapshot::wireBytesSent));
        metrics.wireBytesReceived.labelValues(labels).inc(delta.of(SyncStats.Snapshot::wireBytesReceived));
        metrics.scannedBytes.labelValues(labels).inc(delta.of(SyncStats.Snapshot::bytesScanned));
        metrics.scanSeconds.labelValues(labels).inc(delta.of(SyncStats.Snapshot::scanNanos) / 1e9);
        if (!source) {
            metrics.applySeconds.labelValues(labels).inc(delta.of(SyncStats.Snapshot::applyNanos) / 1e9);
        }
    }

    @Override
    public void scanMode(String region, ScanMode mode, String why) {
        super.scanMode(region, mode, why);
        metrics.scanMode(region, mode, why);
    }

    @Override
    public void connection(ConnectionEvent event) {
        super.connection(event);
        switch (event) {
            case ConnectionEvent.Connected connected -> {
                metrics.connectedPeers.inc();
                if (connected.reconnect()) {
                    metrics.reconnects.labelValues(peerLabel(connected.peer())).inc();
                }
            }
            case ConnectionEvent.Disconnected disconnected -> {
                metrics.connectedPeers.dec();
                metrics.disconnects.labelValues(peerLabel(disconnected.peer()), disconnected.code().name()).inc();
            }
            case ConnectionEvent.Reconnecting reconnecting -> { }
        }
    }

    @Override
    public void stream(StreamEvent event) {
        super.stream(event);
        if (event instanceof StreamEvent.Ended ended) {
            String region = ended.region();
            String side = ended.role() == SyncJob.Direction.PUSH ? "replica" : "source"; // the server's end
            String label = peerLabel(ended.peer());
            metrics.forget(List.of(region, label, side));
            ended.failure().ifPresent(failure ->
                    metrics.streamErrors.labelValues(region, label, side, failure.code().name()).inc());
        }
    }

    @Override
    public void streamFailed(SyncJob job, SyncException failure) {
        super.streamFailed(job, failure);
        String side = job.direction() == SyncJob.Direction.PUSH ? "source" : "replica"; // this client's end
        metrics.streamErrors.labelValues(job.remoteName(), peer, side, failure.code().name()).inc();
    }

    /** How much a running total grew since {@code previous}, all of it when there is none (a new stream). */
    private record Delta(SyncStats.Snapshot now, SyncStats.Snapshot previous) {
        long of(ToLongFunction<SyncStats.Snapshot> total) {
            return total.applyAsLong(now) - (previous == null ? 0 : total.applyAsLong(previous));
        }
    }

    /**
     * This recorder's peer; on a server the client's fingerprint, or on plaintext its IP address (not its port,
     * which changes per connection).
     */
    private String peerLabel(RemotePeer remote) {
        if (peer != null) {
            return peer;
        }
        return remote.fingerprint().map(Object::toString).orElseGet(remote::host);
    }

    private static String side(Side side) {
        return side.name().toLowerCase(Locale.ROOT);
    }
}
