package dev.deltasync.sync;

import java.util.concurrent.TimeUnit;

/**
 * A cap on the bytes per second that the streams sharing it move over the network, both directions
 * ({@code --max-rate}). A token bucket of {@link #BURST} bytes: each frame reserves its size, and a
 * stream whose reservation overdraws the bucket sleeps until the bytes are earned. Reservations are
 * taken in order under a lock and slept off outside it, so streams share the rate fairly.
 *
 * <p>Outgoing frames wait before they are sent. Incoming frames are paced by when the engine takes the
 * next one: the peer may run ahead by at most its flow-control window, then waits for credit.
 */
public final class RateLimit {
    /** No cap: acquiring never waits. */
    public static final RateLimit UNLIMITED = new RateLimit(0);

    /** What may go out at once after a quiet spell: a few frames, so a capped link is never flooded. */
    static final long BURST = 256 * 1024;

    private final long bytesPerSecond;
    private long tokens = BURST;
    private long lastRefillNanos = System.nanoTime();

    private RateLimit(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** A new bucket for {@code bytesPerSecond} (0: {@link #UNLIMITED}). */
    public static RateLimit of(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("negative rate " + bytesPerSecond);
        }
        return bytesPerSecond == 0 ? UNLIMITED : new RateLimit(bytesPerSecond);
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Waits until {@code bytes} more fit the rate. */
    void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond == 0) {
            return;
        }
        long waitNanos = reserve(bytes);
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
    }

    /** Takes {@code bytes} from the bucket, which may go into debt; returns how long that debt takes to earn. */
    private synchronized long reserve(long bytes) {
        long now = System.nanoTime();
        // In double: a long idle spell times a high rate overflows a long; the bucket caps it anyway.
        long earned = (long) Math.min(BURST, (now - lastRefillNanos) * (double) bytesPerSecond / 1e9);
        if (earned > 0) {
            tokens = Math.min(BURST, tokens + earned);
            lastRefillNanos = now;
        }
        tokens -= bytes;
        return tokens >= 0 ? 0 : -tokens * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond;
    }

    @Override
    public String toString() {
        return bytesPerSecond == 0 ? "unlimited" : bytesPerSecond + " B/s";
    }
}
