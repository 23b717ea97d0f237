package dev.deltasync.cli;

import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncStats;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Progress of the first full sync on a terminal: one line, redrawn at most ten times a second, that
 * goes away when the epoch ends. Only the first epoch is drawn; later ones are small by design.
 */
final class ProgressBar implements SyncListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final Map<String, long[]> progress = new ConcurrentHashMap<>();
    private volatile long lastDraw;

    ProgressBar(PrintStream err) {
        this.err = err;
    }

    /** A bar on stderr when {@code wanted} (a terminal, not --json), else a listener that shows nothing. */
    static SyncListener orSilent(boolean wanted, Io io) {
        return wanted ? new ProgressBar(io.err()) : SyncListener.SILENT;
    }

    @Override
    public void progress(String region, long epoch, long done, long total) {
        if (epoch != 1) {
            return;
        }
        progress.put(region, new long[] {done, total});
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            draw();
        }
    }

    @Override
    public void epochCompleted(String region, long epoch, boolean verified, SyncStats.Snapshot totals) {
        if (progress.remove(region) != null) {
            synchronized (this) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }

    private synchronized void draw() {
        StringBuilder line = new StringBuilder("\r\033[K");
        progress.forEach((region, p) -> {
            if (p[1] > 0) {
                int filled = (int) (WIDTH * p[0] / p[1]);
                line.append(String.format(Locale.ROOT, "%s [%s%s] %3d%% %s/%s  ", region, "#".repeat(filled),
                        " ".repeat(WIDTH - filled), 100 * p[0] / p[1], Sizes.format(p[0]), Sizes.format(p[1])));
            } else {
                line.append(String.format(Locale.ROOT, "%s: %s received  ", region, Sizes.format(p[0])));
            }
        });
        err.print(line);
        err.flush();
    }
}
