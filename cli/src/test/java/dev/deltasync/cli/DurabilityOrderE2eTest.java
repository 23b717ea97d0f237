package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import dev.deltasync.sync.ReplicaState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order of a real replica's durable steps, read from the system calls it makes (strace): a kill shows what a
 * process crash leaves, but only the order of the calls shows what a power loss would. A following pull gets two
 * epochs that write: the first records APPLYING by replacing the state file (written, renamed, directory fsynced),
 * the second by overwriting it in place (fdatasynced). Each time APPLYING is durable before the replica flushes the
 * epoch's bytes (and before any of them is written, where they go through pwrite rather than the mapping), and
 * VERIFIED is written only after msyncs that cover every page the epoch changed. Skipped where
 * strace cannot run.
 */
@Timeout(300)
class DurabilityOrderE2eTest {
    private static final int PAGE = 4096;
    private static final long SIZE = 8L * 1024 * 1024;
    /** Scattered pages: the first, the middle and the last chunk of the region change, then three others. */
    private static final long[] FIRST_PAGES = {3, SIZE / PAGE / 2 + 1, SIZE / PAGE - 2};
    private static final long[] SECOND_PAGES = {SIZE / PAGE / 4, SIZE / PAGE / 2 + 300, SIZE / PAGE - 300};

    private static final Pattern PID = Pattern.compile("^\\d+\\s+");
    private static final Pattern MMAP = Pattern.compile(
            "mmap\\((?:NULL|0x[0-9a-f]+), (\\d+), PROT_READ\\|PROT_WRITE, MAP_SHARED, \\d+<([^>]+)>, 0\\) = (0x[0-9a-f]+)");
    private static final Pattern MSYNC = Pattern.compile("msync\\((0x[0-9a-f]+), (\\d+), MS_SYNC");
    /** A state record written: group 1 is set when it went to a temporary file, group 2 is its phase. */
    private static final Pattern STATE_WRITE = Pattern.compile(
            "^(?:p?write(?:64)?)\\(\\d+<[^>]*\\.deltasync-state(\\.[^>]*\\.tmp)?>, \".*phase=([A-Z]+)");
    private static final Pattern REPLICA_WRITE = Pattern.compile("^pwrite(?:64)?\\(\\d+<([^>]+)>, ");
    private static final Pattern SYNC_STATE = Pattern.compile("^f(?:data)?sync\\(\\d+<[^>]*\\.deltasync-state>\\)");
    private static final Pattern RENAME = Pattern.compile("^rename(?:at2?)?\\(.*\\.deltasync-state\"");
    private static final Pattern FSYNC_DIR = Pattern.compile("^fsync\\(\\d+<([^>]+)>\\)");

    @TempDir
    Path dir;
    private ProcessHarness harness;

    @AfterEach
    void killEverything() throws InterruptedException {
        if (harness != null) {
            harness.killAll();
        }
    }

    @Test
    void verifiedIsWrittenOnlyAfterTheEpochsBytesAreFlushedAndApplyingBeforeThem() throws Exception {
        assumeTrue(straceRuns(), "strace is not installed or may not trace here");
        harness = new ProcessHarness(Files.createDirectories(dir.resolve("logs")));
        Path source = dir.resolve("source.bin");
        Path replica = dir.resolve("replica.bin");
        ProcessHarness.randomFile(source, SIZE, 13);
        Files.copy(source, replica);
        flipPages(source, FIRST_PAGES);
        Server server = harness.serve(Duration.ofSeconds(60), "--interval", "200ms", "--region", "r=" + source + ":ro");
        Path trace = dir.resolve("pull.strace");
        Proc pull = harness.wrapped("pull", List.of("strace", "-f", "-qq", "-y", "-s", "4096", "--seccomp-bpf",
                "-e", "trace=mmap,msync,write,pwrite64,rename,renameat,renameat2,fsync,fdatasync",
                "-o", trace.toString()), "pull", server.address("r"), replica.toString(), "--interval", "200ms");
        try {
            // the first epoch writes FIRST_PAGES (APPLYING by replacing the state file); a later one writes
            // SECOND_PAGES (APPLYING overwritten in place)
            awaitVerifiedIdentical(pull, source, replica);
            flipPages(source, SECOND_PAGES);
            awaitVerifiedIdentical(pull, source, replica);
        } finally {
            pull.process().descendants().forEach(ProcessHandle::destroy); // the JVM: strace then exits with it
            pull.process().waitFor(60, TimeUnit.SECONDS);
        }

        List<String> calls = completedCalls(trace);
        String real = replica.toRealPath().toString();
        Path directory = replica.toRealPath().getParent();
        long mapped = -1;
        long mappedLength = 0;
        int applying = -1;
        boolean replaced = false;
        boolean durable = false;
        List<long[]> flushed = new ArrayList<>(); // [from, to) of the file, msynced since APPLYING was durable
        List<long[]> verifiedFlushed = new ArrayList<>();
        int cycles = 0;
        int replicaWrites = 0;
        for (int i = 0; i < calls.size(); i++) {
            String call = calls.get(i);
            Matcher m;
            if ((m = MMAP.matcher(call)).find() && m.group(2).equals(real)) {
                mapped = Long.decode(m.group(3));
                mappedLength = Long.parseLong(m.group(1));
            } else if ((m = REPLICA_WRITE.matcher(call)).find() && m.group(1).equals(real)) {
                // chunks written through the file (pwrite) show the epoch's first byte itself
                assertTrue(applying >= 0 && durable, "an epoch's bytes written before its APPLYING state was durable:\n"
                        + String.join("\n", calls.subList(Math.max(0, i - 12), i + 1)));
                replicaWrites++;
            } else if ((m = STATE_WRITE.matcher(call)).find()) {
                if (m.group(2).equals("APPLYING")) {
                    applying = i;
                    replaced = m.group(1) != null; // to a temporary: durable once renamed and its directory fsynced
                    durable = false;
                    flushed.clear();
                } else if (m.group(2).equals("VERIFIED") && applying >= 0) {
                    assertTrue(!flushed.isEmpty(), "VERIFIED written after APPLYING with no msync between:\n"
                            + String.join("\n", calls.subList(applying, i + 1)));
                    verifiedFlushed.addAll(flushed);
                    cycles++;
                    applying = -1;
                }
            } else if (applying >= 0 && !replaced && (m = SYNC_STATE.matcher(call)).find()) {
                durable = true; // APPLYING overwritten in place, then fdatasynced
            } else if (applying >= 0 && replaced && RENAME.matcher(call).find()) {
                durable = false; // the rename is durable once its directory is fsynced
            } else if (applying >= 0 && replaced && (m = FSYNC_DIR.matcher(call)).find()
                    && Path.of(m.group(1)).equals(directory)) {
                durable = true;
            } else if (applying >= 0 && (m = MSYNC.matcher(call)).find() && mapped >= 0) {
                long address = Long.decode(m.group(1));
                assertTrue(durable, "msync of an epoch's bytes before its APPLYING state was durable:\n"
                        + String.join("\n", calls.subList(applying, i + 1)));
                if (address >= mapped && address < mapped + mappedLength) {
                    flushed.add(new long[] {address - mapped, address - mapped + Long.parseLong(m.group(2))});
                }
            }
        }
        System.out.println("DurabilityOrderE2eTest: " + cycles + " epochs from APPLYING to VERIFIED, " + replicaWrites
                + " pwrites into the replica, msynced " + verifiedFlushed.size() + " times");
        assertTrue(cycles >= 2, cycles + " epochs went from APPLYING to VERIFIED; expected the two that wrote");
        for (long page : LongStream.concat(LongStream.of(FIRST_PAGES), LongStream.of(SECOND_PAGES)).toArray()) {
            long offset = page * PAGE;
            assertTrue(verifiedFlushed.stream().anyMatch(r -> r[0] <= offset && offset + PAGE <= r[1]),
                    "page " + page + " changed, but no msync before a VERIFIED covered it; flushed "
                            + verifiedFlushed.stream().map(r -> "[" + r[0] + ", " + r[1] + ")").toList());
        }
    }

    /** Waits until the replica's state says VERIFIED and its bytes are the source's. */
    private void awaitVerifiedIdentical(Proc pull, Path source, Path replica) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (true) {
            Optional<ReplicaState> state = readState(replica);
            if (state.isPresent() && state.get().phase() == ReplicaState.Phase.VERIFIED
                    && ProcessHarness.identical(source, replica)) {
                return;
            }
            assertTrue(pull.alive(), "the pull ended" + pull.tails());
            assertTrue(System.nanoTime() < deadline, "no verified identical replica within 180 s" + pull.tails());
            Thread.sleep(100);
        }
    }

    /** The state, or empty while it cannot be read. */
    private static Optional<ReplicaState> readState(Path replica) {
        try {
            return ReplicaState.read(replica);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The trace's system calls in the order they returned, each on one line without its pid: a call another thread
     * interrupted ({@code <unfinished ...>}) is joined to its {@code <... resumed>} line and placed there.
     */
    private static List<String> completedCalls(Path trace) throws IOException {
        List<String> calls = new ArrayList<>();
        java.util.Map<String, String> unfinished = new java.util.HashMap<>();
        for (String line : Files.readAllLines(trace)) {
            Matcher pid = PID.matcher(line);
            boolean numbered = pid.find();
            String thread = numbered ? pid.group().trim() : "";
            String call = numbered ? line.substring(pid.end()) : line;
            if (call.endsWith("<unfinished ...>")) {
                unfinished.put(thread, call.substring(0, call.length() - "<unfinished ...>".length()).stripTrailing());
            } else if (call.startsWith("<... ")) {
                String start = unfinished.remove(thread);
                if (start != null) {
                    calls.add(start + call.substring(call.indexOf("resumed>") + "resumed>".length()));
                }
            } else {
                calls.add(call);
            }
        }
        return calls;
    }

    private static boolean straceRuns() {
        try {
            Process probe = new ProcessBuilder("strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=write",
                    "-o", "/dev/null", "true").redirectErrorStream(true).start();
            return probe.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void flipPages(Path file, long[] pages) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (long page : pages) {
                ByteBuffer bytes = ByteBuffer.allocate(8);
                channel.read(bytes, page * PAGE + 100);
                for (int i = 0; i < 8; i++) {
                    bytes.put(i, (byte) ~bytes.get(i));
                }
                channel.write(bytes.flip(), page * PAGE + 100);
            }
        }
    }
}
