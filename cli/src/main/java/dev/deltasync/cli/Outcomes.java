package dev.deltasync.cli;

import dev.deltasync.sync.JobResult;
import dev.deltasync.sync.SyncException;
import java.util.List;
import java.util.Optional;

/** Maps how jobs ended to the exit code scripts see. */
final class Outcomes {
    private Outcomes() {}

    /**
     * REFUSED for a peer's "no" (unknown region, read-only, size mismatch, not verified) and for a connection no
     * retry can mend (a certificate not pinned or refused, TLS against plaintext); FAILURE otherwise.
     */
    static ExitCode exitCodeOf(SyncException e) {
        if (e.connectFailure().filter(failure -> failure.isFinal()).isPresent()) {
            return ExitCode.REFUSED;
        }
        return switch (e.code()) {
            case UNKNOWN_REGION, READ_ONLY, SIZE_MISMATCH, UNSUPPORTED_PARAMETER, REFUSED_STREAM, VERIFY_FAILED ->
                    ExitCode.REFUSED;
            default -> ExitCode.FAILURE;
        };
    }

    /**
     * The code of a run a signal stopped, or of one that ended by itself ({@code stoppedBy} empty): SIGINT is
     * INTERRUPTED (130, the shell's code for Ctrl-C, so {@code pull ... && next} does not go on); SIGTERM, how a
     * service manager stops a service, is the run's own code, so a continuous run that stopped cleanly exits 0,
     * while a {@code --once} that had not verified yet is TERMINATED (143).
     */
    static ExitCode exitCodeOf(List<JobResult> results, boolean once, Optional<Signals.Stop> stoppedBy) {
        ExitCode code = exitCodeOf(results, once);
        return switch (stoppedBy.orElse(null)) {
            case null -> code;
            case INT -> ExitCode.INTERRUPTED;
            case TERM -> once && code != ExitCode.OK ? ExitCode.TERMINATED : code;
        };
    }

    /**
     * One code for several jobs: FAILURE if any failed outright, else REFUSED if any was refused or
     * (with {@code once}) not verified, else OK.
     */
    static ExitCode exitCodeOf(List<JobResult> results, boolean once) {
        boolean refused = false;
        for (JobResult result : results) {
            ExitCode code = result.failure() != null ? exitCodeOf(result.failure())
                    : once && !result.verified() ? ExitCode.REFUSED : ExitCode.OK;
            if (code == ExitCode.FAILURE) {
                return code;
            }
            refused |= code == ExitCode.REFUSED;
        }
        return refused ? ExitCode.REFUSED : ExitCode.OK;
    }
}
