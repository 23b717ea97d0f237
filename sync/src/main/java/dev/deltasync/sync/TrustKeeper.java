package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.trust.TrustFile;
import dev.deltasync.sync.trust.TrustPass;
import dev.deltasync.sync.trust.TrustStamp;
import dev.deltasync.sync.trust.TrustedTable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A serve daemon's trust passes (PROTOCOL.md §9.7) over the files it is a replica of: after each push stream
 * ends, and when an idle replica's file settled after a change by someone else, one {@link TrustPass} in the
 * background leaves a trusted table beside the file, so the next push finds it and need not hash. One
 * low-priority thread and one hash thread for the whole server; a pass never runs while a push into its file
 * is being served, never writes the replica or its state, and what it records is tied to the file's stamp, so a
 * stream that starts meanwhile only makes the record useless, never wrong.
 */
final class TrustKeeper implements AutoCloseable {
    /** How often idle replicas' files are looked at (one lstat each): a change is passed over once it settled. */
    static final Duration LOOK_EVERY = Duration.ofSeconds(2);

    private final List<Path> replicas;
    private final SyncListener listener;
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, task -> {
        Thread t = new Thread(task, "deltasync-trust");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    /** Push streams being served, per replica path (guarded by this). */
    private final Map<Path, Integer> streams = new HashMap<>();
    /** The stamp each file had when last passed over (guarded by this): the same stamp is not passed over again. */
    private final Map<Path, TrustStamp> passed = new HashMap<>();
    /** The stamp each idle file had at the last look (guarded by this): a change is passed over once it stays. */
    private final Map<Path, TrustStamp> seen = new HashMap<>();
    /** Replicas with a pass scheduled and not yet begun (guarded by this). */
    private final Set<Path> pending = new HashSet<>();

    TrustKeeper(List<ExposedRegion> regions, SyncListener listener) {
        this.replicas = regions.stream().filter(r -> !r.readOnly()).map(ExposedRegion::path).distinct().toList();
        this.listener = listener;
        if (!replicas.isEmpty()) {
            thread.scheduleWithFixedDelay(this::lookAtIdle, LOOK_EVERY.toMillis(), LOOK_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    synchronized void streamStarted(Path replica) {
        streams.merge(replica, 1, Integer::sum);
    }

    /** A push into {@code replica} ended: pass over it as soon as no other push is served into it. */
    void streamEnded(Path replica) {
        synchronized (this) {
            streams.merge(replica, -1, (a, b) -> a + b == 0 ? null : a + b);
        }
        schedule(replica, 0);
    }

    /** At most one pass waits per replica: a file whose change time stays racy (in the future) piles none up. */
    private void schedule(Path replica, long delayNanos) {
        synchronized (this) {
            if (!pending.add(replica)) {
                return;
            }
        }
        try {
            thread.schedule(() -> {
                synchronized (this) {
                    pending.remove(replica);
                }
                pass(replica);
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: the server is stopping
        }
    }

    /** Tasks waiting on the trust thread, the periodic look among them (tests). */
    int queuedTasks() {
        return thread.getQueue().size();
    }

    private synchronized boolean idle(Path replica) {
        return !streams.containsKey(replica);
    }

    /** Passes over each idle file whose stamp changed since its last pass and stayed the same since the last look. */
    private void lookAtIdle() {
        for (Path replica : replicas) {
            try {
                TrustStamp now = TrustStamp.of(replica);
                boolean settled;
                synchronized (this) {
                    settled = now.equals(seen.put(replica, now)) && !now.equals(passed.get(replica));
                }
                if (settled && idle(replica)) {
                    pass(replica);
                }
            } catch (IOException | RuntimeException e) {
                // no file yet, or one we cannot look at: nothing to trust
            }
        }
    }

    /** One trust pass over {@code replica} with the geometry its state records, if it is idle and has one. */
    private void pass(Path replica) {
        try {
            TrustFile.Version record = TrustFile.version(replica);
            TrustStamp before = TrustStamp.of(replica);
            Optional<ReplicaState> state = ReplicaState.continuable(replica, before.file());
            synchronized (this) {
                if (!idle(replica) || before.equals(passed.get(replica))) {
                    return;
                }
            }
            if (state.isEmpty() || state.get().regionSize() != before.size() || !before.trustedFileSystem()
                    || TrustFile.read(replica, state.get().hash(), state.get().chunkSize(), state.get().regionSize())
                            .filter(recorded -> recorded.stamp().equals(before)).isPresent()) {
                synchronized (this) { // nothing to pass over, or a stream left a record that holds: not again
                    passed.put(replica, before);
                }
                return;
            }
            long wait = before.settledAt() - TrustPass.nowNanos();
            if (wait > 0) { // racy now: a write in this clock tick could leave the times as they are
                schedule(replica, wait);
                return;
            }
            DigestTable table = DigestTable.create(state.get().hash(), state.get().regionSize(),
                    state.get().chunkSize());
            TrustPass.Outcome outcome;
            try (MappedRegion region = RegionFile.forInspection(replica).map();
                 ParallelScanner scanner = new ParallelScanner(table.algorithm(), 1)) {
                outcome = TrustPass.hash(region, table, scanner, done -> { });
            }
            synchronized (this) {
                passed.put(replica, outcome.stamp().orElse(before));
            }
            if (outcome.trusted() && idle(replica)) { // and only over the record this pass began with: a discard wins
                TrustFile.writeIfUnchanged(replica, record, new TrustedTable(table, outcome.stamp().get()));
            } else if (!outcome.trusted() && outcome.settledAt() > TrustPass.nowNanos()) {
                schedule(replica, outcome.settledAt() - TrustPass.nowNanos());
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // a file removed, resized or unreadable meanwhile: the next stream hashes it, as without a pass
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
