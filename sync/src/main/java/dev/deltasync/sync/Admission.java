package dev.deltasync.sync;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The server's account of what its streams hold ({@link StreamLimits}): a stream is admitted with the memory its
 * tables will take, or refused, and gives it back when it ends. Charging before accepting is what keeps a peer
 * that opens stream after stream from growing the server's memory: its OPENs are refused once its share is spent.
 */
final class Admission {
    /** Why an OPEN was not admitted, in one line for its RESET. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final StreamLimits limits;
    private final Map<Object, Long> byConnection = new HashMap<>();
    private int streams;
    private long charged;

    Admission(StreamLimits limits) {
        this.limits = limits;
    }

    StreamLimits limits() {
        return limits;
    }

    /** Admits one stream of {@code connection} holding {@code bytes}; close the ticket when the stream ends. */
    synchronized Ticket admit(Object connection, long bytes) throws Refused {
        if (streams >= limits.maxStreams()) {
            throw new Refused("the server has " + streams + " streams open, the most it takes; try again later");
        }
        long ofConnection = byConnection.getOrDefault(connection, 0L);
        if (bytes > limits.perConnection() - ofConnection) {
            throw new Refused("this connection's streams would hold " + mib(ofConnection + bytes)
                    + " of digest tables, more than the " + mib(limits.perConnection()) + " one connection may");
        }
        chargeBudget(bytes);
        byConnection.merge(connection, bytes, Long::sum);
        streams++;
        return new Ticket(connection, bytes);
    }

    /** Charges the tables of a region's shared scans, which belong to no one connection, to the budget alone. */
    synchronized Ticket chargeShared(long bytes) throws Refused {
        chargeBudget(bytes);
        return new Ticket(null, bytes);
    }

    private void chargeBudget(long bytes) throws Refused {
        if (bytes > limits.memoryBudget() - charged) {
            throw new Refused("the server's streams would hold " + mib(charged + bytes) + " of digest tables, more"
                    + " than its budget of " + mib(limits.memoryBudget()) + "; try again later");
        }
        charged += bytes;
    }

    private synchronized void release(Ticket ticket) {
        charged -= ticket.bytes;
        if (ticket.connection != null) {
            byConnection.computeIfPresent(ticket.connection, (c, held) -> held == ticket.bytes ? null : held - ticket.bytes);
            streams--;
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** What one admission holds (a stream of {@code connection}, or shared scans when null); closing gives it back, once. */
    final class Ticket implements AutoCloseable {
        private final Object connection;
        private final long bytes;
        private boolean closed;

        private Ticket(Object connection, long bytes) {
            this.connection = connection;
            this.bytes = bytes;
        }

        @Override
        public void close() {
            synchronized (Admission.this) {
                if (!closed) {
                    closed = true;
                    release(this);
                }
            }
        }
    }
}
