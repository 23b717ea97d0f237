package dev.deltasync.sync;

/**
 * What a server lets all its streams hold together, whoever opened them (the mux bounds each connection and
 * each address; these bound the sum). An OPEN that would pass a limit is answered RESET REFUSED_STREAM before
 * it costs anything, and the client may try again later.
 *
 * @param maxStreams      streams past OPEN at once, push and pull
 * @param maxPendingScans whole-region scans waiting or running at once; a pull that would add one more is refused
 *                        (one that can join a scan under way is not)
 * @param memoryBudget    bytes of digest tables all streams and shared scans may hold: an OPEN is charged its
 *                        tables (a pull one, a push two, a region's shared scans two more) before it is accepted
 * @param perConnection   bytes of that budget the streams of one connection may hold
 */
public record StreamLimits(int maxStreams, int maxPendingScans, long memoryBudget, long perConnection) {
    public StreamLimits {
        if (maxStreams < 1 || maxPendingScans < 1 || memoryBudget < 1 || perConnection < 1
                || perConnection > memoryBudget) {
            throw new IllegalArgumentException("stream limits must be positive, and a connection's share at most the"
                    + " budget: " + maxStreams + ", " + maxPendingScans + ", " + memoryBudget + ", " + perConnection);
        }
    }

    /**
     * 1024 streams, 16 pending scans, a quarter of the heap for digest tables, and a sixteenth of that for one
     * connection (at least 64 MiB, the tables of a few of the largest regions), so that one peer cannot take the
     * budget from the others.
     */
    public static StreamLimits defaults() {
        long budget = Runtime.getRuntime().maxMemory() / 4;
        return new StreamLimits(1024, 16, budget, Math.min(budget, Math.max(budget / 16, 64L << 20)));
    }
}
