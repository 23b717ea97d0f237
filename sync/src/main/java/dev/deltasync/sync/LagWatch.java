package dev.deltasync.sync;

import java.time.Duration;
import java.util.Locale;

/**
 * Says when a continuous source's epochs stop fitting in its interval (the link or the replica cannot keep up,
 * so the replica falls further behind the source), and when the replica has caught up again: one line per
 * change of state, never one per epoch.
 */
final class LagWatch {
    private final String name;
    private final Duration interval;
    private final SyncListener listener;
    private boolean behind;

    LagWatch(String name, Duration interval, SyncListener listener) {
        this.name = name;
        this.interval = interval;
        this.listener = listener;
    }

    /** An epoch that carried {@code bytes} of changed chunks took {@code nanos} from its first CHUNK to its ACK. */
    void epochSent(long epoch, long nanos, long bytes) {
        boolean tooSlow = bytes > 0 && nanos > interval.toNanos();
        if (tooSlow && !behind) {
            listener.info(String.format(Locale.ROOT, "%s: epoch %d took %.1f s to send %.1f MiB of changes, longer than"
                            + " the %d ms interval: the link cannot keep up and the replica falls behind the source",
                    name, epoch, nanos / 1e9, bytes / (1024.0 * 1024.0), interval.toMillis()));
        } else if (!tooSlow && behind) {
            caughtUp("epoch " + epoch + " fit in the interval");
        }
        behind = tooSlow;
    }

    /** A scan found nothing the replica lacks. */
    void nothingToSend() {
        if (behind) {
            behind = false;
            caughtUp("a scan found nothing left to send");
        }
    }

    private void caughtUp(String how) {
        listener.info(name + ": " + how + ": the replica has caught up with the source");
    }
}
