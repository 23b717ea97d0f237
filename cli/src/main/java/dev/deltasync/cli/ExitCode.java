package dev.deltasync.cli;

/**
 * The exit codes scripts can rely on; {@code deltasync --help} prints this table.
 */
public enum ExitCode {
    /** Done; with {@code --once}, the replica was verified identical. */
    OK(0, "success (with --once: replica verified identical)"),
    /** The operation failed: the peer went away, a region could not be synced. */
    FAILURE(1, "failure: network, peer or I/O error"),
    /** The command line or its arguments were wrong; nothing was done. */
    USAGE(2, "invalid input: bad option, argument, size or address"),
    /** The peer refused or the state is not what was expected (unknown region, read-only, size mismatch). */
    REFUSED(3, "refused or unexpected state: unknown region, read-only, size mismatch, not verified"),
    /** A bug: an exception nobody planned for. Run with --debug for the stack trace. */
    INTERNAL(4, "internal error (run with --debug for a stack trace)"),
    /** SIGINT (Ctrl-C) stopped the command, cleanly; 128 + 2, as a shell reports it. */
    INTERRUPTED(130, "stopped by SIGINT (Ctrl-C)"),
    /** SIGTERM stopped a --once before it verified; 128 + 15. A continuous run or serve exits 0 on SIGTERM. */
    TERMINATED(143, "a --once stopped by SIGTERM before it verified (serve and following runs exit 0)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
