package dev.deltasync.embed;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.SyncListener;

/** The engine's events that a {@link ReplicatorListener} wants. */
final class ListenerBridge implements SyncListener {
    private final ReplicatorListener listener;

    ListenerBridge(ReplicatorListener listener) {
        this.listener = listener;
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        listener.epoch(epoch);
    }

    @Override
    public void scanMode(String region, ScanMode mode, String why) {
        listener.scanMode(region, mode, why);
    }

    @Override
    public void info(String message) {
        listener.info(message);
    }
}
