package dev.deltasync.cli;

import dev.deltasync.sync.Security;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import java.nio.file.Path;
import java.util.List;
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
                A replica whose file is unchanged since a hash it trusts sends that table instead of hashing;
                --verify hashes both sides in full instead (and drops a trusted table the bytes contradict).
                While following, a write into LOCAL_PATH by another program is noticed (within a second when it
                changes the file's times, within --reverify otherwise), the file is no longer called verified, and
                the next epoch repairs it (the server runs one at least every 10 s, or every --interval if longer).
                With --serve HOST:PORT the pull is also a relay: downstream machines pull LOCAL_PATH from it as
                from a 'deltasync serve' (HOST:PORT/NAME, NAME the upstream's or --serve-as), and get each epoch
                this pull verified, never one it did not; it never hashes LOCAL_PATH to serve them. Their lag is
                end to end (the upstream's source times are forwarded). --allow NAME=pull:FP pins them, as serve's.

                Examples:
                  deltasync pull 10.0.0.1:7070/vm /srv/replica/disk.img --once --stats \\
                      --peer-fingerprint SHA256:9c1e...   (the server's, from its 'deltasync keygen')
                  deltasync pull 127.0.0.1:7070/a a.bin 127.0.0.1:7070/b b.bin
                  deltasync pull db-host:7070/snapshot snap.bin --resize --json
                  deltasync pull 10.0.0.1:7070/vm /srv/replica/disk.img --serve 0.0.0.0:7071 \\
                      --peer-fingerprint SHA256:9c1e... --allow vm=pull:SHA256:77c0...
                      (then elsewhere: deltasync pull 10.0.0.2:7071/vm disk.img --peer-fingerprint <this side's>)
                """;
    }

    @Override
    Options ownOptions() {
        return super.ownOptions().addOption(REVERIFY).addOption(Relaying.SERVE).addOption(Relaying.SERVE_AS)
                .addOption(ServeCommand.ALLOW);
    }

    @Override
    SyncOptions withOwnOptions(SyncOptions options, CommandLine line) {
        return options.withReverifyEvery(valueOr(line, REVERIFY, Durations::parse, options.reverifyEvery()));
    }

    @Override
    Relaying relaying(CommandLine line, List<SyncJob> jobs, SyncOptions options, Security security, SyncListener log) {
        return Relaying.of(line, jobs, options, security, log);
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
