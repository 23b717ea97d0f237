package dev.deltasync.cli;

import java.io.PrintStream;

/**
 * Where a command writes: results to {@code out}, diagnostics and progress to {@code err}.
 * Progress bars are drawn only when {@code err} is a terminal.
 */
public record Io(PrintStream out, PrintStream err, boolean terminal) {
    public static Io system() {
        return new Io(System.out, System.err, System.console() != null && System.console().isTerminal());
    }
}
