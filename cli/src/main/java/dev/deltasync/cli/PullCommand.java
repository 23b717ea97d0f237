package dev.deltasync.cli;

import dev.deltasync.sync.SyncJob;
import java.nio.file.Path;
import dev.deltasync.sync.SyncOptions;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code deltasync pull HOST:PORT/NAME LOCAL_PATH}: the local file follows the remote region. */
final class PullCommand extends SyncCommand {
    static final Option REVERIFY = Option.builder().longOpt("reverify").hasArg().argName("DURATION")
            .desc("when following: re-hash the whole local file this often in the background, to catch writes by"
                    + " other programs that left its times unchanged (default 10m; 0s: never). A change of its size"
                    + " or times is noticed within a second anyway").get();

    @Override
    String name() {
        return "pull";
    }

    @Override
    String summary() {
        return "make local files follow remote regions";
    }

    @Override
    String synopsis() {
        return "HOST:PORT/NAME LOCAL_PATH [HOST:PORT/NAME LOCAL_PATH ...] [options]";
    }

    @Override
    String description() {
        return """
                Keeps LOCAL_PATH identical to the region NAME of a 'deltasync serve' at HOST:PORT. A missing file
                is created at the region's size; a file of another size is refused unless --resize. The server
                scans on its own --interval (or less often, if this pull's --interval asks) and sends only changed
                chunks; each epoch is verified by root digest.
                Several pairs share one connection. With --once: converge, verify, exit 0.
                While following, a write into LOCAL_PATH by another program is noticed (within a second when it
                changes the file's times, within --reverify otherwise), the file is no longer called verified, and
                the next epoch repairs it (the server runs one at least every 10 s, or every --interval if longer).

                Examples:
                  deltasync pull 10.0.0.1:7070/vm /srv/replica/disk.img --once --stats \\
                      --peer-fingerprint SHA256:9c1e...   (the server's, from its 'deltasync keygen')
                  deltasync pull 127.0.0.1:7070/a a.bin 127.0.0.1:7070/b b.bin
                  deltasync pull db-host:7070/snapshot snap.bin --resize --json
                """;
    }

    @Override
    Options ownOptions() {
        return super.ownOptions().addOption(REVERIFY);
    }

    @Override
    SyncOptions withOwnOptions(SyncOptions options, CommandLine line) {
        return options.withReverifyEvery(valueOr(line, REVERIFY, Durations::parse, options.reverifyEvery()));
    }

    @Override
    SyncJob.Direction direction() {
        return SyncJob.Direction.PULL;
    }

    @Override
    void checkLocal(Path local) {
        LocalFiles.checkReplica(local);
    }
}
