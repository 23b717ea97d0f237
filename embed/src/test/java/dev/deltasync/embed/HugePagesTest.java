package dev.deltasync.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.SyncStats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A byte written into a 2 MiB huge page of a tracked segment: the tracker may name the whole huge page (hugetlbfs
 * pages are write-protected whole), but the epoch hashes its chunks and sends only the one that changed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HugePagesTest {
    /** 16 huge pages: one of them is 1/16 of the chunks, below the share at which a tracked epoch scans in full. */
    private static final long SIZE = 16 * NativeMemory.HUGE_PAGE;
    private static final long WRITTEN_AT = 5 * NativeMemory.HUGE_PAGE + 123_457;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<EpochReport> epochs = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static void skip(String reason) {
        System.out.println("skipped: " + reason);
        Assumptions.abort(reason);
    }

    @Test
    void aByteWrittenIntoAHugetlbPageSendsOnlyItsChunk() throws Throwable {
        NativeMemory memory = NativeMemory.hugetlb(SIZE);
        if (memory == null) {
            skip("no " + SIZE / NativeMemory.HUGE_PAGE + " free hugetlbfs pages of 2 MiB here (vm.nr_hugepages is "
                    + Files.readString(Path.of("/proc/sys/vm/nr_hugepages")).trim() + ")");
        }
        open.add(memory);
        assertEquals(NativeMemory.HUGE_PAGE, oneByteEpoch(memory.segment()),
                "the tracker named the whole huge page, and all of its chunks were hashed");
    }

    @Test
    void aByteWrittenIntoATransparentHugePageSendsOnlyItsChunk() throws Throwable {
        String unavailable = NativeMemory.transparentUnavailable();
        if (unavailable != null) {
            skip(unavailable);
        }
        NativeMemory memory = NativeMemory.transparent(SIZE);
        open.add(memory);
        long huge = memory.transparentHugeBytes();
        if (huge < NativeMemory.HUGE_PAGE) {
            skip("the kernel backed the madvised memory with no transparent huge page (memory fragmented?)");
        }
        System.out.println("transparent huge pages before tracking: " + huge / 1024 + " KiB of " + SIZE / 1024);
        long hashed = oneByteEpoch(memory.segment());
        System.out.println("after a tracked write: " + memory.transparentHugeBytes() / 1024 + " KiB in huge pages, "
                + hashed + " bytes hashed");
        assertTrue(hashed <= NativeMemory.HUGE_PAGE, "at most the huge page was hashed: " + hashed);
    }

    /**
     * Replicates {@code segment} with write tracking, writes one byte into it, runs an epoch and returns what that
     * epoch hashed, having checked that it sent one chunk and that the replica then holds the segment.
     */
    private long oneByteEpoch(MemorySegment segment) throws Exception {
        Replica replica = opened(Replicator.replica(dir.resolve("replica.bin"), "huge")
                .listen("127.0.0.1:0", Security.insecure()).start());
        Replicator replicator = opened(Replicator.source(segment, "huge")
                .to("127.0.0.1:" + replica.port(), Security.insecure()).interval(Duration.ofHours(1))
                .fullScanEvery(Duration.ofHours(1)).listener(new ReplicatorListener() {
                    @Override
                    public void epoch(EpochReport epoch) {
                        epochs.add(epoch);
                    }
                }).start());
        if (replicator.scanMode() != ScanMode.TRACKED) {
            skip("write tracking unavailable here: " + replicator.scanModeReason());
        }
        replicator.syncNow(); // the first epoch scans and sends everything
        SyncStats.Snapshot before = epochs.getLast().totals();
        segment.set(ValueLayout.JAVA_BYTE, WRITTEN_AT, (byte) 0x17);
        replicator.syncNow(); // the interval is an hour: this is the one epoch that sends the byte
        SyncStats.Snapshot after = epochs.getLast().totals();
        assertEquals(ScanMode.TRACKED, replicator.scanMode(), replicator.scanModeReason());
        long chunks = after.chunksChanged() - before.chunksChanged();
        long bytes = after.changedBytes() - before.changedBytes();
        long hashed = after.bytesScanned() - before.bytesScanned();
        assertEquals(1, chunks, "one chunk sent, not the huge page (" + bytes + " bytes in " + chunks + " chunks)");
        assertTrue(bytes > 0 && bytes < NativeMemory.HUGE_PAGE, "a chunk's bytes, not 2 MiB: " + bytes);
        assertTrue(hashed >= bytes && hashed < SIZE, "the tracked epoch hashed its candidates, not everything: "
                + hashed);
        byte[] replicaBytes = Files.readAllBytes(dir.resolve("replica.bin"));
        assertArrayEquals(segment.toArray(ValueLayout.JAVA_BYTE), replicaBytes, "the replica holds the segment");
        return hashed;
    }

    private <T extends AutoCloseable> T opened(T resource) {
        open.add(resource);
        return resource;
    }
}
