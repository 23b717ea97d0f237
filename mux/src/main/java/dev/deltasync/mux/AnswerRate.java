package dev.deltasync.mux;

/**
 * How fast a peer may make this side answer (PROTOCOL.md §7.1): a token bucket of {@link #BURST} answers,
 * refilled at {@link #PER_SECOND} a second. A peer that, over any t seconds, sends at most
 * {@code BURST + PER_SECOND * t} answered frames (PINGs, OPENs refused, stream frames answered with RESET)
 * is never cut off; one that sends more is flooding and gets GOAWAY ENHANCE_YOUR_CALM. Without it, a peer
 * sending PINGs as fast as it can made this side queue PONGs faster than any link drains them. The same bucket,
 * slower, bounds the log lines one address can make a server write ({@link ServerLog}).
 */
final class AnswerRate {
    static final int BURST = 64;
    static final int PER_SECOND = 16;

    private final long nanosPerAnswer;
    private final long capacity;
    private long balance;
    private long last;

    AnswerRate(long nowNanos) {
        this(BURST, PER_SECOND, nowNanos);
    }

    AnswerRate(int burst, int perSecond, long nowNanos) {
        this(burst, 1_000_000_000L / perSecond, nowNanos);
    }

    /** A bucket of {@code burst} that refills one answer every {@code nanosPerAnswer}. */
    AnswerRate(int burst, long nanosPerAnswer, long nowNanos) {
        this.nanosPerAnswer = nanosPerAnswer;
        this.capacity = burst * nanosPerAnswer;
        this.balance = capacity;
        this.last = nowNanos;
    }

    /** Spends one answer at {@code nowNanos}; false when the peer has exceeded its rate. */
    boolean admit(long nowNanos) {
        balance = Math.min(capacity, balance + Math.max(0, nowNanos - last));
        last = nowNanos;
        if (balance < nanosPerAnswer) {
            return false;
        }
        balance -= nanosPerAnswer;
        return true;
    }
}
