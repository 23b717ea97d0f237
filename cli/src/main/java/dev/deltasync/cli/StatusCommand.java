package dev.deltasync.cli;

import dev.deltasync.sync.Lineage;
import dev.deltasync.sync.ReplicaState;
import dev.deltasync.sync.region.RegionAccess;
import dev.deltasync.sync.trust.TrustFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code deltasync status FILE}: what a replica last recorded, and with {@code --verify} whether its bytes still say so. */
final class StatusCommand extends Command {
    private static final Option VERIFY = Option.builder().longOpt("verify")
            .desc("re-hash the file and check it still matches the recorded root").get();
    private static final Option JSON = Option.builder().longOpt("json")
            .desc("print one JSON object (docs/JSON.md, type status)").get();

    @Override
    String name() {
        return "status";
    }

    @Override
    String summary() {
        return "show whether a replica file is verified (and re-check it)";
    }

    @Override
    String synopsis() {
        return "FILE [--verify] [--json]";
    }

    @Override
    String description() {
        return """
                Reads the state a replica keeps beside its file (FILE.deltasync-state): 'verified' with the epoch
                and root digest, or 'applying' when a sync was cut off mid-epoch (the file may be a mix of old
                and new chunks until the next sync); the last verified epoch, the source's time of it (the
                replica holds the source as it was then) and the lineage its epochs are numbered in. With --verify the file is hashed again and compared with
                the recorded root. A file replaced since its state was written (another device and inode: a copy
                moved over it, a restore) is not verified. Exit 0 only when verified (and, with --verify, still
                matching); 3 otherwise.

                Examples:
                  deltasync status /srv/replica/disk.img
                  deltasync status /srv/replica/disk.img --verify --json
                """;
    }

    @Override
    Options ownOptions() {
        return new Options().addOption(VERIFY).addOption(JSON);
    }

    /** The replica's state; one that is there but records nothing is a refusal, said in one line. */
    private static Optional<ReplicaState> readState(Path file) throws IOException {
        try {
            return ReplicaState.read(file);
        } catch (ReplicaState.UnreadableStateException e) {
            throw new CliException(ExitCode.REFUSED, e.getMessage() + "; not verified (the next push or pull"
                    + " re-hashes " + file + " and writes its state anew)");
        }
    }

    @Override
    ExitCode run(CommandLine line, Io io) throws Exception {
        if (line.getArgList().size() != 1) {
            throw CliException.usage("expected one FILE, got " + line.getArgList().size() + " arguments");
        }
        Path file = Path.of(line.getArgList().getFirst());
        LocalFiles.check(file, RegionAccess.READ_ONLY, "status");
        ReplicaState state = readState(file).orElseThrow(() -> new CliException(ExitCode.REFUSED,
                file + " has no replica state: it was never the replica of a deltasync push or pull"));
        String check = "not_checked";
        if (line.hasOption(VERIFY)) {
            // asked for a full check: the next sync hashes too, and no pass under way records its table
            try {
                TrustFile.discard(file);
            } catch (IOException e) {
                io.err().println("status: cannot discard the trusted table beside " + file + ": " + e.getMessage());
            }
        }
        boolean sameFile = state.describesFileAt(file);
        boolean ok = state.phase() == ReplicaState.Phase.VERIFIED && sameFile;
        if (ok && line.hasOption(VERIFY)) {
            boolean same = Files.size(file) == state.regionSize()
                    && Arrays.equals(state.rootOfFile(file, Runtime.getRuntime().availableProcessors()), state.root());
            check = same ? "matches" : "differs";
            ok = same;
            if (!same && !state.recordDiffers(file)) {
                io.err().println("status: " + file + " is in use by a stream (or its state changed meanwhile): its"
                        + " state was not marked unverified; run status --verify again once the stream ended");
            }
        }
        String root = HexFormat.of().formatHex(state.root());
        String lineage = state.lineage().map(Lineage::toString).orElse("");
        String sourceTime = state.sourceTime().map(Instant::toString).orElse("");
        if (line.hasOption(JSON)) {
            io.out().println(new JsonLine("status").add("file", file.toString())
                    .add("phase", state.phase().name().toLowerCase(Locale.ROOT)).add("epoch", state.epoch())
                    .add("hash", state.hash().cliName()).add("chunk_size", state.chunkSize())
                    .add("region_size", state.regionSize()).add("root", root).add("updated", state.updated().toString())
                    .add("lineage", lineage).add("verified_epoch", state.verifiedEpoch())
                    .add("source_time", sourceTime).add("same_file", sameFile).add("check", check)
                    .add("verified", ok));
        } else {
            io.out().printf("%s: %s at epoch %d (%s, %s chunks, updated %s)%n", file,
                    state.phase().name().toLowerCase(Locale.ROOT), state.epoch(), state.hash().cliName(),
                    Sizes.format(state.chunkSize()), state.updated());
            io.out().println("  last verified epoch " + (state.verifiedEpoch() == 0 ? "none"
                    : state.verifiedEpoch() + (sourceTime.isEmpty() ? "" : ", source time " + sourceTime))
                    + ", lineage " + (lineage.isEmpty() ? "none (synced with a protocol v1 peer)" : lineage));
            if (!root.isEmpty()) {
                io.out().println("  root " + root + (line.hasOption(VERIFY) ? ", re-hashed: " + check : ""));
            }
            if (!sameFile) {
                io.out().println("  but " + file + " was replaced since (another device, inode or birth time than the"
                        + " state records) or written by someone else after it was verified (its change time or size"
                        + " moved): the state does not describe it; the next sync starts a new lineage");
            }
        }
        return ok ? ExitCode.OK : ExitCode.REFUSED;
    }
}
