package dev.deltasync.sync;

import dev.deltasync.peer.ConnectFailure;

/** Passes every event on to {@code next}; subclasses override what they also want to see. */
public abstract class ForwardingListener implements SyncListener {
    protected final SyncListener next;

    protected ForwardingListener(SyncListener next) {
        this.next = next;
    }

    @Override
    public void hashing(String region, Side side, long done, long total) {
        next.hashing(region, side, done, total);
    }

    @Override
    public void progress(String region, long epoch, long done, long total) {
        next.progress(region, epoch, done, total);
    }

    @Override
    public void received(String region, long epoch, long received, long through, long regionSize) {
        next.received(region, epoch, received, through, regionSize);
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        next.epochCompleted(epoch);
    }

    @Override
    public void connection(ConnectionEvent event) {
        next.connection(event);
    }

    @Override
    public void stream(StreamEvent event) {
        next.stream(event);
    }

    @Override
    public void streamFailed(SyncJob job, SyncException failure) {
        next.streamFailed(job, failure);
    }

    @Override
    public void scanMode(String region, ScanMode mode, String why) {
        next.scanMode(region, mode, why);
    }

    @Override
    public void info(String message) {
        next.info(message);
    }

    @Override
    public void refused(String remote, ConnectFailure failure) {
        next.refused(remote, failure);
    }
}
