package dev.deltasync.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM for the commands that run until stopped (serve, a following push or pull) and a --once in
 * flight: the first signal asks the command to stop cleanly, a second one ends the process at once.
 *
 * <p>Why not shutdown hooks: the JVM runs them while the main thread goes on, so a summary printed after the
 * streams end was cut off when the hooks finished first, the exit code was always 128+N, and a second signal did
 * nothing. {@code sun.misc.Signal} (module jdk.unsupported, kept for exactly this) replaces the JVM's handling:
 * the command itself ends the streams, flushes, prints its summary and returns its exit code.
 */
final class Signals implements AutoCloseable {
    /** The signals that stop a command, and the exit code a forced (second-signal) exit reports. */
    enum Stop {
        INT("SIGINT", 2), TERM("SIGTERM", 15);

        private final String name;
        private final int number;

        Stop(String name, int number) {
            this.name = name;
            this.number = number;
        }

        /** 128 + the signal's number, what a shell reports for a process the signal killed. */
        int forcedExitCode() {
            return 128 + number;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final AtomicReference<Stop> received = new AtomicReference<>();
    private final AtomicReference<Runnable> stop = new AtomicReference<>();
    private final List<Restore> previous = new ArrayList<>();

    private record Restore(Signal signal, SignalHandler handler) { }

    private Signals() {}

    /**
     * From now until {@link #close()}: the first SIGINT or SIGTERM logs that the command stops and runs what
     * {@link #whenStopped} gave (on the JVM's signal thread; it may block), a second logs that and exits at once.
     */
    static Signals install(LogLines log) {
        Signals signals = new Signals();
        for (Stop kind : Stop.values()) {
            Signal signal = new Signal(kind.name());
            SignalHandler old = Signal.handle(signal, ignored -> signals.received(kind, log));
            signals.previous.add(new Restore(signal, old));
        }
        return signals;
    }

    /** What stops the command; run at once if a signal came before it was known. */
    void whenStopped(Runnable action) {
        stop.set(action);
        if (received.get() != null) {
            runStop();
        }
    }

    private void received(Stop kind, LogLines log) {
        if (received.compareAndSet(null, kind)) {
            log.event("stopping on " + kind + " (a second signal exits at once)");
            runStop();
            return;
        }
        log.error("second signal (" + kind + "): exiting at once, exit " + kind.forcedExitCode());
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(kind.forcedExitCode());
    }

    /** Runs the stop action once, whichever of a signal and {@link #whenStopped} comes last. */
    private void runStop() {
        Runnable action = stop.getAndSet(null);
        if (action != null) {
            action.run();
        }
    }

    /** The signal that asked the command to stop, if one did. */
    Optional<Stop> received() {
        return Optional.ofNullable(received.get());
    }

    /** Gives the signals back to the JVM's own handling. */
    @Override
    public void close() {
        previous.forEach(r -> Signal.handle(r.signal(), r.handler()));
    }
}
