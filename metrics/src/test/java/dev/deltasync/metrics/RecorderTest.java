package dev.deltasync.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.RemotePeer;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.StreamEvent;
import dev.deltasync.sync.SyncException;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncStats;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How events become series: deltas of running totals per stream, and the peer label of each side. */
class RecorderTest {
    private static final Fingerprint CLIENT = Fingerprint.parse("SHA256:" + "ab".repeat(32));

    private final SyncMetrics metrics = new SyncMetrics();

    /**
     * A source's report of its stream's {@code epochs}-th epoch, number {@code epoch} in its lineage, having sent
     * {@code chunks} chunks of 4 KiB on the stream so far.
     */
    private static EpochReport sourceEpoch(long epochs, long epoch, long chunks) {
        SyncStats.Snapshot totals = new SyncStats.Snapshot(0, chunks, chunks * 4096, chunks * 1000, chunks * 1100, 50,
                epochs, epochs, 0, epochs * 2_000_000_000L, 0, 0, 0, 0, 0);
        return new EpochReport("vm", SyncListener.Side.SOURCE, epoch, true, Optional.empty(), epoch,
                Optional.empty(), totals);
    }

    @Test
    void aNewStreamsTotalsCountFromZeroNotTwiceNorBackwards() {
        SyncListener client = metrics.recording(SyncListener.SILENT, "10.0.0.1:7070");
        client.epochCompleted(sourceEpoch(1, 101, 10));
        client.epochCompleted(sourceEpoch(2, 102, 25));
        client.epochCompleted(sourceEpoch(1, 103, 4)); // after a reconnect: a new stream's first epoch
        String[] labels = {"vm", "10.0.0.1:7070", "source"};
        assertEquals(3, metrics.epochs.labelValues(labels).get());
        assertEquals(29, metrics.chunksSent.labelValues(labels).get());
        assertEquals(29 * 4096, metrics.rawBytesSent.labelValues(labels).get());
        assertEquals(29 * 1100, metrics.wireBytesSent.labelValues(labels).get());
        assertEquals(6.0, metrics.scanSeconds.labelValues(labels).get(), 1e-9); // 2 s, 2 s more, a new stream's 2 s
        assertEquals(103, metrics.verifiedEpoch.labelValues(labels).get());
    }

    @Test
    void aServerNamesEachStreamsPeerByFingerprintOrPlaintextAddressWithoutItsPort() {
        SyncListener server = metrics.recording(SyncListener.SILENT, null);
        RemotePeer pinned = new RemotePeer("10.0.0.2", 51234, Optional.of(CLIENT));
        RemotePeer plain = new RemotePeer("::1", 40000, Optional.empty());
        server.forStream(new StreamEvent.Started(pinned, "vm", SyncJob.Direction.PULL, 1))
                .epochCompleted(sourceEpoch(1, 1, 3));
        server.forStream(new StreamEvent.Started(plain, "vm", SyncJob.Direction.PULL, 3))
                .epochCompleted(sourceEpoch(1, 1, 7));
        assertEquals(3, metrics.chunksSent.labelValues("vm", CLIENT.toString(), "source").get());
        assertEquals(7, metrics.chunksSent.labelValues("vm", "::1", "source").get());

        server.stream(new StreamEvent.Ended(plain, "vm", SyncJob.Direction.PUSH, 5, 0,
                Optional.of(new SyncException(ErrorCode.SIZE_MISMATCH, "region 'vm' is 10 bytes"))));
        assertEquals(1, metrics.streamErrors.labelValues("vm", "::1", "replica", "SIZE_MISMATCH").get());
    }

    @Test
    void aClientCountsEachFailureOfARegionsStreamOnItsOwnEnd() {
        SyncListener client = metrics.recording(SyncListener.SILENT, "10.0.0.1:7070");
        SyncJob pull = new SyncJob(SyncJob.Direction.PULL, Path.of("replica.bin"), "vm");
        SyncJob push = new SyncJob(SyncJob.Direction.PUSH, Path.of("source.bin"), "db");
        client.streamFailed(pull, new SyncException(ErrorCode.CANCEL, "the server went away"));
        client.streamFailed(pull, new SyncException(ErrorCode.CANCEL, "the server went away"));
        client.streamFailed(push, new SyncException(ErrorCode.READ_ONLY, "region 'db' is read-only"));
        assertEquals(2, metrics.streamErrors.labelValues("vm", "10.0.0.1:7070", "replica", "CANCEL").get());
        assertEquals(1, metrics.streamErrors.labelValues("db", "10.0.0.1:7070", "source", "READ_ONLY").get());
    }

    @Test
    void theScanModeIsOneSeriesPerRegionWithItsReasonAndAFallbackReplacesIt() {
        SyncListener source = metrics.recording(SyncListener.SILENT, "10.0.0.1:7070");
        source.scanMode("book", ScanMode.TRACKED, "userfaultfd write-protect + PAGEMAP_SCAN name the written pages");
        source.scanMode("cache", ScanMode.SCANNING, "write tracking is turned off");
        source.scanMode("book", ScanMode.SCANNING, "write tracking failed (EIO); every epoch scans from now on");
        assertEquals(List.of("book scanning write tracking failed (EIO); every epoch scans from now on = 1.0",
                "cache scanning write tracking is turned off = 1.0"), scanModeSeries());
    }

    private List<String> scanModeSeries() {
        GaugeSnapshot gauge = (GaugeSnapshot) metrics.registry().scrape(name -> name.equals("deltasync_scan_mode"))
                .get(0);
        return gauge.getDataPoints().stream().map(point -> point.getLabels().get("region") + " "
                + point.getLabels().get("mode") + " " + point.getLabels().get("reason") + " = " + point.getValue())
                .sorted().toList();
    }
}
