package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.Security;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncOptions;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;

/** What {@code pull --serve} accepts and refuses before anything connects. */
class RelayingTest {
    private static final List<SyncJob> ONE = List.of(new SyncJob(SyncJob.Direction.PULL, Path.of("b.img"), "vm"));
    private static final List<SyncJob> TWO = List.of(ONE.getFirst(),
            new SyncJob(SyncJob.Direction.PULL, Path.of("c.img"), "other"));

    private static CommandLine pull(String... args) throws Exception {
        return new DefaultParser().parse(new PullCommand().options(), args);
    }

    private static String refusal(CommandLine line, List<SyncJob> jobs, boolean once) {
        CliException e = assertThrows(CliException.class, () -> Relaying.of(line, jobs,
                SyncOptions.defaults().once(once), Security.insecure(), SyncListener.SILENT));
        assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aPullWithoutServeRelaysNothing() throws Exception {
        assertSame(Relaying.NONE, Relaying.of(pull(), ONE, SyncOptions.defaults(), Security.insecure(),
                SyncListener.SILENT));
    }

    @Test
    void serveIsRefusedWithOnce() throws Exception {
        assertTrue(refusal(pull("--serve", "127.0.0.1:0"), ONE, true).contains("--once"));
    }

    @Test
    void relayOptionsNeedServe() throws Exception {
        assertTrue(refusal(pull("--serve-as", "x"), ONE, false).contains("--serve HOST:PORT"));
        assertTrue(refusal(pull("--allow", "vm=pull:SHA256:" + "0".repeat(64)), ONE, false).contains("--serve"));
    }

    @Test
    void serveTakesAnAddressWithoutARegion() throws Exception {
        assertTrue(refusal(pull("--serve", "127.0.0.1:7071/vm"), ONE, false).contains("--serve-as"));
    }

    @Test
    void serveAsNamesTheOneRegionRelayed() throws Exception {
        assertTrue(refusal(pull("--serve", "127.0.0.1:0", "--serve-as", "x"), TWO, false).contains("2 pairs"));
    }

    @Test
    void allowNeedsTlsAndAServedName() throws Exception {
        String pin = "SHA256:" + "0".repeat(64);
        assertTrue(refusal(pull("--serve", "127.0.0.1:0", "--allow", "vm=pull:" + pin), ONE, false)
                .contains("--insecure"));
        assertTrue(refusal(pull("--serve", "127.0.0.1:0", "--allow", "nope=pull:" + pin), ONE, false)
                .contains("not served"));
    }
}
