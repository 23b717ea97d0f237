package dev.deltasync.embed;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.SyncListener;

/**
 * The engine's events that a {@link ReplicatorListener} wants. It marks the threads that are inside a callback, so
 * that a {@code close()} from there does not wait for threads that wait for the callback to return.
 */
final class ListenerBridge implements SyncListener {
    private static final ThreadLocal<Boolean> IN_CALLBACK = ThreadLocal.withInitial(() -> false);

    private final ReplicatorListener listener;

    ListenerBridge(ReplicatorListener listener) {
        this.listener = listener;
    }

    /** True on a thread that is running one of the listener's callbacks now. */
    static boolean inCallback() {
        return IN_CALLBACK.get();
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        inCallback(() -> listener.epoch(epoch));
    }

    @Override
    public void scanMode(String region, ScanMode mode, String why) {
        inCallback(() -> listener.scanMode(region, mode, why));
    }

    @Override
    public void info(String message) {
        inCallback(() -> listener.info(message));
    }

    private static void inCallback(Runnable callback) {
        boolean outer = IN_CALLBACK.get();
        IN_CALLBACK.set(true);
        try {
            callback.run();
        } finally {
            IN_CALLBACK.set(outer);
        }
    }
}
