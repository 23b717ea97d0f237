package dev.deltasync.sync;

import dev.deltasync.peer.HostPort;
import dev.deltasync.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Continuous push/pull that outlives its server: when the connection drops (the server restarted, the
 * network blinked), it reconnects with capped exponential back-off, reporting each change of the connection
 * ({@link ConnectionEvent}), and resumes every job that can be resumed. Jobs the server refused for good end with their failure.
 */
public final class Follower {
    private final String host;
    private final int port;
    private final Security security;
    private final SyncOptions options;
    private final SyncListener listener;
    private final Duration firstDelay;
    private final Duration maxDelay;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile SyncClient current;

    /**
     * @param firstDelay the wait before the first reconnect; it doubles per failed attempt up to {@code maxDelay}
     */
    public Follower(String host, int port, Security security, SyncOptions options, SyncListener listener,
                    Duration firstDelay, Duration maxDelay) {
        this.host = host;
        this.port = port;
        this.security = security;
        this.options = options;
        this.listener = listener;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /** Runs the jobs until {@link #stop()} or until every job has failed for good; returns how each ended. */
    public List<JobResult> run(List<SyncJob> jobs) throws InterruptedException {
        try (JobResources files = JobResources.acrossSessions()) {
            return run(jobs, files);
        }
    }

    private List<JobResult> run(List<SyncJob> jobs, JobResources files) throws InterruptedException {
        Map<SyncJob, JobResult> ended = new LinkedHashMap<>();
        List<SyncJob> active = new ArrayList<>(jobs);
        String address = HostPort.format(host, port);
        int attempt = 0;
        long lostAt = -1; // System.nanoTime() when the last connection was lost; -1 before the first one
        while (!active.isEmpty() && !stopped.get()) {
            Optional<SyncException> failure = Optional.empty();
            VerifiedCounter counter = new VerifiedCounter(listener);
            try (SyncClient client = SyncClient.connect(host, port, security)) {
                current = client;
                if (stopped.get()) {
                    break;
                }
                RemotePeer peer = client.peer();
                listener.connection(new ConnectionEvent.Connected(peer, lostAt >= 0,
                        lostAt < 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - lostAt)));
                SyncException lost = null;
                List<SyncJob> retry = new ArrayList<>();
                for (JobResult result : client.runAll(active, options, counter, files)) {
                    ended.put(result.job(), result);
                    if (result.failure() == null || result.failure().isRetryable()) {
                        retry.add(result.job());
                    } else {
                        files.release(result.job()); // refused for good: another stream may have the file
                    }
                    if (result.failure() != null) {
                        lost = result.failure();
                    }
                }
                if (lost == null) { // every stream ended cleanly, e.g. on the server's GOAWAY(NO_ERROR)
                    lost = client.closeReason().orElse(null);
                }
                active = retry;
                lostAt = System.nanoTime();
                listener.connection(stopped.get() || lost == null
                        ? new ConnectionEvent.Disconnected(peer, ErrorCode.NO_ERROR, "closed by this side")
                        : new ConnectionEvent.Disconnected(peer, lost.code(), lost.getMessage()));
            } catch (SyncException e) {
                failure = Optional.of(e);
                if (!e.isRetryable()) { // e.g. the server's certificate is not pinned: trying again cannot help
                    active.forEach(job -> ended.put(job, new JobResult(job, null, e)));
                    active = List.of();
                }
            } finally {
                current = null;
            }
            attempt = counter.verified() ? 1 : attempt + 1;
            if (active.isEmpty() || stopped.get()) {
                break;
            }
            Duration delay = delay(attempt);
            listener.connection(new ConnectionEvent.Reconnecting(address, attempt, delay, failure));
            stopRequested.await(delay.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (stopped.get()) { // a job waiting to reconnect was stopped, not failed: it ends with what it did
            active.forEach(job -> ended.put(job, SyncClient.stopped(job, files.stats(job))));
        }
        List<JobResult> results = new ArrayList<>();
        for (SyncJob job : jobs) {
            results.add(ended.get(job));
        }
        return results;
    }

    /**
     * Ends {@link #run}: ends the streams of the connection in use cleanly ({@link SyncClient#stop()}) and stops
     * reconnecting; every job not refused for good then ends with what it had done over all sessions.
     */
    public void stop() {
        stopped.set(true);
        stopRequested.countDown();
        SyncClient client = current;
        if (client != null) {
            client.stop();
        }
    }

    private Duration delay(int attempt) {
        long millis = firstDelay.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
    }

    /** Passes events on and notes whether any epoch was verified, which resets the back-off. */
    private static final class VerifiedCounter extends ForwardingListener {
        private volatile boolean verified;

        VerifiedCounter(SyncListener next) {
            super(next);
        }

        boolean verified() {
            return verified;
        }

        @Override
        public void epochCompleted(EpochReport epoch) {
            verified |= epoch.verified();
            next.epochCompleted(epoch);
        }
    }
}
