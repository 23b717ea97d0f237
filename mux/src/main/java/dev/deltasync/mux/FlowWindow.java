package dev.deltasync.mux;

/**
 * One flow-control window (PROTOCOL.md, flow control): the credit one side may still spend.
 * Not thread-safe; each window lives on its connection's event loop.
 */
final class FlowWindow {
    static final long MAX = Integer.MAX_VALUE;

    private long available;

    FlowWindow(long initial) {
        this.available = initial;
    }

    boolean covers(int bytes) {
        return bytes <= available;
    }

    void spend(int bytes) {
        available -= bytes;
    }

    /** Adds credit; false when the window would exceed 2^31-1, which the peer must treat as an error. */
    boolean grant(long increment) {
        if (available + increment > MAX) {
            return false;
        }
        available += increment;
        return true;
    }
}
