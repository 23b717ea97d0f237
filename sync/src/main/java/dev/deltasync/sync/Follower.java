package dev.deltasync.sync;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Continuous push/pull that outlives its server: when the connection drops (the server restarted, the
 * network blinked), it reconnects with capped exponential back-off, logging one line per attempt, and
 * resumes every job that can be resumed. Jobs the server refused for good end with their failure.
 */
public final class Follower {
    private final String host;
    private final int port;
    private final MuxConfig mux;
    private final SyncOptions options;
    private final SyncListener listener;
    private final Duration firstDelay;
    private final Duration maxDelay;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile SyncClient current;

    /**
     * @param firstDelay the wait before the first reconnect; it doubles per failed attempt up to {@code maxDelay}
     */
    public Follower(String host, int port, MuxConfig mux, SyncOptions options, SyncListener listener,
                    Duration firstDelay, Duration maxDelay) {
        this.host = host;
        this.port = port;
        this.mux = mux;
        this.options = options;
        this.listener = listener;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /** Runs the jobs until {@link #stop()} or until every job has failed for good; returns how each ended. */
    public List<JobResult> run(List<SyncJob> jobs) throws InterruptedException {
        Map<SyncJob, JobResult> ended = new LinkedHashMap<>();
        List<SyncJob> active = new ArrayList<>(jobs);
        int attempt = 0;
        while (!active.isEmpty() && !stopped.get()) {
            String lost;
            VerifiedCounter counter = new VerifiedCounter(listener);
            try (SyncClient client = SyncClient.connect(host, port, mux)) {
                current = client;
                if (stopped.get()) {
                    break;
                }
                List<SyncJob> retry = new ArrayList<>();
                lost = "connection closed";
                for (JobResult result : client.runAll(active, options, counter)) {
                    ended.put(result.job(), result);
                    if (result.failure() == null || result.failure().isRetryable()) {
                        retry.add(result.job());
                        if (result.failure() != null) {
                            lost = result.failure().getMessage();
                        }
                    }
                }
                active = retry;
            } catch (SyncException e) {
                lost = e.getMessage();
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
            listener.info(String.format("%s:%d: %s; reconnecting in %.1f s (attempt %d)", host, port, lost,
                    delay.toMillis() / 1000.0, attempt));
            Thread.sleep(delay);
        }
        List<JobResult> results = new ArrayList<>();
        for (SyncJob job : jobs) {
            results.add(ended.getOrDefault(job, new JobResult(job, null,
                    new SyncException(ErrorCode.CANCEL, "stopped before connecting"))));
        }
        return results;
    }

    /** Ends {@link #run}: closes the connection in use and stops reconnecting. */
    public void stop() {
        stopped.set(true);
        SyncClient client = current;
        if (client != null) {
            client.close();
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
