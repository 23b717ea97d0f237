package dev.deltasync.cli;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.SyncListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Progress of the first full sync, like rsync's {@code --info=progress2}: one line on stderr, redrawn at most ten
 * times a second and at every change of phase, that goes away when the first epoch ends. Per region: the phase
 * (hashing the source or the replica, here or at the peer, then sending or receiving), bytes done of total,
 * percentage, rate and ETA. Later epochs and scans are small by design and not drawn.
 */
final class ProgressBar implements ProgressDisplay {
    private static final long REDRAW_NANOS = 100_000_000L;
    /** Until a phase has run this long its rate is noise, and no ETA is given. */
    private static final long MIN_RATE_NANOS = 200_000_000L;

    /** What one region is doing; {@code remote} phases happen at the peer, so only their duration is known. */
    enum Phase {
        HASHING_SOURCE("hashing the source", false), HASHING_REPLICA("hashing the replica", false),
        PEER_HASHING_SOURCE("hashing the source (on the server)", true),
        PEER_HASHING_REPLICA("hashing the replica (on the server)", true),
        SENDING("sending", false), RECEIVING("receiving", false);

        final String label;
        final boolean remote;

        Phase(String label, boolean remote) {
            this.label = label;
            this.remote = remote;
        }
    }

    /** A region's phase since {@code startNanos}, with bytes {@code done} of {@code total}. */
    record State(Phase phase, long startNanos, long done, long total) {
        State advance(long nowDone, long nowTotal) {
            return new State(phase, startNanos, nowDone, nowTotal);
        }
    }

    private final PrintStream err;
    private final LongSupplier clock;
    private final Map<String, State> regions = new ConcurrentHashMap<>();
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintStream err, LongSupplier clock) {
        this.err = err;
        this.clock = clock;
    }

    /** A bar on stderr when {@code wanted}, else nothing. */
    static ProgressDisplay orSilent(boolean wanted, Io io) {
        return wanted ? new ProgressBar(io.err(), System::nanoTime) : ProgressDisplay.NONE;
    }

    @Override
    public void hashing(String region, Side side, long done, long total) {
        Phase local = side == Side.SOURCE ? Phase.HASHING_SOURCE : Phase.HASHING_REPLICA;
        update(region, local, done, total);
        if (done >= total) {
            // Ours is done; now the peer hashes its side (it started at the same time, and may be done too).
            update(region, side == Side.SOURCE ? Phase.PEER_HASHING_REPLICA : Phase.PEER_HASHING_SOURCE, 0, 0);
        }
    }

    @Override
    public void progress(String region, long epoch, long done, long total) {
        if (epoch == 1) {
            update(region, Phase.SENDING, done, total);
        }
    }

    @Override
    public void received(String region, long epoch, long received, long through, long regionSize) {
        if (epoch == 1) {
            update(region, Phase.RECEIVING, through, regionSize);
        }
    }

    @Override
    public void epochCompleted(EpochReport epoch) {
        if (finished.add(epoch.region())) {
            regions.remove(epoch.region());
            synchronized (this) {
                if (regions.isEmpty()) {
                    clear();
                } else {
                    draw(clock.getAsLong());
                }
            }
        }
    }

    @Override
    public synchronized void clear() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }

    private void update(String region, Phase phase, long done, long total) {
        if (finished.contains(region)) {
            return;
        }
        long now = clock.getAsLong();
        State before = regions.get(region);
        boolean newPhase = before == null || before.phase() != phase;
        State state = newPhase ? new State(phase, now, done, total) : before.advance(done, total);
        regions.put(region, state);
        synchronized (this) {
            if (newPhase || done >= total || now - lastDraw >= REDRAW_NANOS) {
                draw(now);
            }
        }
    }

    private void draw(long now) {
        lastDraw = now;
        StringBuilder line = new StringBuilder("\r\033[K");
        regions.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (line.length() > 4) {
                line.append("  |  ");
            }
            line.append(describe(e.getKey(), e.getValue(), now));
        });
        err.print(line);
        err.flush();
        drawn = true;
    }

    /** One region's part of the line, e.g. {@code vm  sending  1.2 GiB / 2.0 GiB  60%  310.5 MiB/s  ETA 0:03}. */
    static String describe(String region, State s, long now) {
        long elapsed = now - s.startNanos();
        if (s.phase().remote) {
            return region + "  " + s.phase().label + "  " + clockTime(elapsed / 1_000_000_000L);
        }
        StringBuilder text = new StringBuilder(region).append("  ").append(s.phase().label).append("  ")
                .append(Sizes.format(s.done())).append(" / ").append(Sizes.format(s.total()))
                .append(String.format(Locale.ROOT, "  %3d%%", s.total() == 0 ? 100 : 100 * s.done() / s.total()));
        // A phase's last frame gives its average rate, however short it was.
        if ((elapsed >= MIN_RATE_NANOS || s.done() >= s.total()) && s.done() > 0 && elapsed > 0) {
            double rate = s.done() * 1e9 / elapsed;
            text.append("  ").append(Sizes.format(rate)).append("/s  ETA ")
                    .append(clockTime(Math.round((s.total() - s.done()) / rate)));
        } else {
            text.append("  --/s  ETA --:--");
        }
        return text.toString();
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clockTime(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
