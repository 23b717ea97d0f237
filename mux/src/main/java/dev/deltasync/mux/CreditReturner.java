package dev.deltasync.mux;

/**
 * Receive-side bookkeeping for one window: how many consumed bytes have not been granted back yet,
 * and when it is time to send a WINDOW_UPDATE. Batching the updates saves frames; the threshold keeps
 * the sender from ever waiting on credit we are sitting on (PROTOCOL.md, flow control).
 */
final class CreditReturner {
    private final FlowWindow receiveWindow;
    private final long threshold;
    private long consumed;

    /**
     * @param window          the window we granted
     * @param largestFrame    the largest flow-controlled frame the peer may send us
     */
    CreditReturner(long window, long largestFrame) {
        this.receiveWindow = new FlowWindow(window);
        this.threshold = Math.max(1, Math.min(window / 2, window - largestFrame));
    }

    /** Accounts for an arriving frame; false when it exceeds what we granted. */
    boolean receive(int bytes) {
        if (!receiveWindow.covers(bytes)) {
            return false;
        }
        receiveWindow.spend(bytes);
        return true;
    }

    /** Records consumed bytes; returns the increment to send now, or 0 to keep batching. */
    int consume(int bytes) {
        consumed += bytes;
        if (consumed < threshold) {
            return 0;
        }
        int increment = (int) consumed;
        consumed = 0;
        receiveWindow.grant(increment);
        return increment;
    }
}
