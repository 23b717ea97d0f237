package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.sync.JobResult;
import dev.deltasync.sync.SyncException;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncOutcome;
import dev.deltasync.sync.SyncStats;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The exit code of a run a signal stopped (README's exit-code table). */
class OutcomesTest {
    private static final SyncJob JOB = new SyncJob(SyncJob.Direction.PULL, Path.of("r.bin"), "r");
    private static final SyncStats.Snapshot NOTHING = new SyncStats().snapshot();
    private static final List<JobResult> STOPPED_UNVERIFIED = List.of(
            new JobResult(JOB, new SyncOutcome("r", 0, NOTHING), null));
    private static final List<JobResult> STOPPED_VERIFIED = List.of(
            new JobResult(JOB, new SyncOutcome("r", 3, NOTHING), null));
    private static final List<JobResult> REFUSED_BEFORE = List.of(
            new JobResult(JOB, null, new SyncException(ErrorCode.UNKNOWN_REGION, "no region named 'r'")));

    @Test
    void sigtermOfAContinuousRunIsItsOwnCodeZeroWhenClean() {
        assertEquals(ExitCode.OK, Outcomes.exitCodeOf(STOPPED_UNVERIFIED, false, Optional.of(Signals.Stop.TERM)));
        assertEquals(ExitCode.REFUSED, Outcomes.exitCodeOf(REFUSED_BEFORE, false, Optional.of(Signals.Stop.TERM)));
    }

    @Test
    void sigtermOfAOnceBeforeItVerifiedIs143() {
        assertEquals(ExitCode.TERMINATED, Outcomes.exitCodeOf(STOPPED_UNVERIFIED, true, Optional.of(Signals.Stop.TERM)));
        assertEquals(143, ExitCode.TERMINATED.code());
        assertEquals(ExitCode.OK, Outcomes.exitCodeOf(STOPPED_VERIFIED, true, Optional.of(Signals.Stop.TERM)));
    }

    @Test
    void sigintIs130WhateverTheRunHadDone() {
        for (boolean once : new boolean[] {true, false}) {
            assertEquals(130, Outcomes.exitCodeOf(STOPPED_VERIFIED, once, Optional.of(Signals.Stop.INT)).code());
        }
        assertEquals(ExitCode.REFUSED, Outcomes.exitCodeOf(STOPPED_UNVERIFIED, true, Optional.empty()));
    }
}
