package dev.deltasync.sync;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Lets an application ask a continuous source for an epoch now and wait until one that started after the request
 * is verified (an embedded {@code syncNow()}). Thread-safe.
 */
public final class EpochPacer {
    /**
     * How often a source waiting out its interval on this pacer looks at its stream: how late it may notice the peer
     * ending it. A request wakes it at once.
     */
    static final Duration LOOK_AT_STREAM_EVERY = Duration.ofSeconds(1);

    private long requested;
    private long verifiedThrough;
    private boolean ended;

    /** Asks for an epoch as soon as possible; returns the ticket to wait for with {@link #awaitVerified}. */
    public synchronized long request() {
        notifyAll();
        return ++requested;
    }

    /**
     * Waits until an epoch that started after {@code ticket}'s request was verified.
     *
     * @return false when {@code timeout} passed first, or the source {@linkplain #end ended} for good
     */
    public synchronized boolean awaitVerified(long ticket, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (verifiedThrough < ticket && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return verifiedThrough >= ticket;
    }

    /** Whether {@link #end} was called. */
    public synchronized boolean ended() {
        return ended;
    }

    /** No epoch will come any more: waiters return. */
    public synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** A scan begins: returns the requests its epoch will answer. */
    synchronized long scanStarting() {
        return requested;
    }

    /** Whether an epoch is owed to a request up to {@code covered} that no verified epoch answered yet. */
    synchronized boolean owed(long covered) {
        return covered > verifiedThrough;
    }

    /** Waits until a request comes after {@code covered}, at most {@code nanos}; returns whether one came. */
    synchronized boolean awaitRequestAfter(long covered, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; requested <= covered && left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return requested > covered;
    }

    /** An epoch whose scan answered the requests up to {@code covered} was verified. */
    synchronized void verified(long covered) {
        if (covered > verifiedThrough) {
            verifiedThrough = covered;
            notifyAll();
        }
    }
}
