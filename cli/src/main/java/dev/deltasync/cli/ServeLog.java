package dev.deltasync.cli;

import dev.deltasync.peer.ConnectFailure;
import dev.deltasync.sync.ConnectionEvent;
import dev.deltasync.sync.StreamEvent;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.EpochReport;

/** What {@code serve} logs: each connection, refused or accepted and closed, each stream and its end, notices. */
final class ServeLog implements SyncListener {
    private final LogLines log;

    ServeLog(LogLines log) {
        this.log = log;
    }

    @Override
    public void connection(ConnectionEvent event) {
        log.event(EventText.server(event));
    }

    @Override
    public void stream(StreamEvent event) {
        boolean failed = event instanceof StreamEvent.Ended ended && ended.failure().isPresent()
                && !ended.failure().get().isRetryable();
        String text = EventText.server(event);
        if (failed) {
            log.error(text);
        } else {
            log.event(text);
        }
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        log.detail("'" + epoch.region() + "': epoch " + epoch.epoch() + (epoch.verified() ? " verified" : " not verified"));
    }

    @Override
    public void info(String message) {
        log.event(message);
    }

    @Override
    public void refused(String remote, ConnectFailure failure) {
        log.error(ConnectHints.serverLine(remote, failure));
    }
}
