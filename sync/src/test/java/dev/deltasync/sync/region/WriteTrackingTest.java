package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class WriteTrackingTest {
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    /** Starts tracking, or skips the test with the reason printed where this machine cannot track. */
    public static WriteTracking startOrSkip(MemorySegment segment) {
        try {
            return WriteTracking.start(segment);
        } catch (TrackingUnavailableException e) {
            System.out.println("skipped: write tracking unavailable here: " + e.getMessage());
            Assumptions.abort("write tracking unavailable here: " + e.getMessage());
            throw new AssertionError(e);
        }
    }

    private static List<long[]> drain(WriteTracking tracking) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        tracking.drain((from, to) -> ranges.add(new long[] {from, to}));
        return ranges;
    }

    private static String pages(List<long[]> ranges) {
        StringBuilder out = new StringBuilder();
        for (long[] range : ranges) {
            out.append('[').append(range[0] / PAGE).append(',').append(range[1] / PAGE).append(')');
        }
        return out.toString();
    }

    @Test
    void reportsExactlyThePagesWrittenThroughTheMappingThenNothing() throws IOException {
        try (MappedRegion region = MappedRegion.openResized(dir.resolve("r.bin"), 1024L * PAGE);
             WriteTracking tracking = startOrSkip(region.segment())) {
            MemorySegment memory = region.segment();
            memory.set(ValueLayout.JAVA_BYTE, 5L * PAGE + 17, (byte) 1);
            memory.set(ValueLayout.JAVA_BYTE, 6L * PAGE, (byte) 2);
            memory.set(ValueLayout.JAVA_BYTE, 900L * PAGE + PAGE - 1, (byte) 3);
            assertEquals("[5,7)[900,901)", pages(drain(tracking)));
            assertEquals("", pages(drain(tracking)), "a drain re-protects what it reported");
            memory.set(ValueLayout.JAVA_BYTE, 6L * PAGE + 1, (byte) 4);
            assertEquals("[6,7)", pages(drain(tracking)), "a page written again is reported again");
        }
    }

    @Test
    void writesFromSeveralThreadsDuringDrainsAreEachReportedAndNothingElseIs() throws Exception {
        int pages = 4096;
        try (MappedRegion region = MappedRegion.openResized(dir.resolve("c.bin"), (long) pages * PAGE);
             WriteTracking tracking = startOrSkip(region.segment())) {
            MemorySegment memory = region.segment();
            Set<Integer> shadow = ConcurrentHashMap.newKeySet();
            BitSet reported = new BitSet(pages);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int seed = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    while (!stop.get()) {
                        int page = random.nextInt(pages / 2) * 2; // odd pages are never written
                        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) page * PAGE + random.nextInt(PAGE - 8),
                                random.nextLong());
                        shadow.add(page);
                    }
                }));
            }
            // Drains race the writers (each write is in one drain or the next) until they have touched enough pages.
            long deadline = System.nanoTime() + 60_000_000_000L;
            for (int round = 0; round < 200 || shadow.size() <= pages / 4 && System.nanoTime() < deadline; round++) {
                tracking.drain((from, to) -> reported.set((int) (from / PAGE), (int) (to / PAGE)));
            }
            stop.set(true);
            for (Thread writer : writers) {
                writer.join();
            }
            tracking.drain((from, to) -> reported.set((int) (from / PAGE), (int) (to / PAGE)));
            BitSet written = new BitSet(pages);
            shadow.forEach(written::set);
            assertTrue(written.cardinality() > pages / 4, "the writers touched many pages: " + written.cardinality());
            assertEquals(written, reported, "reported pages are exactly the written ones");
        }
    }

    @Test
    void aPwriteBypassesTheMappingAndIsNotReported() throws IOException {
        Path file = dir.resolve("p.bin");
        try (MappedRegion region = MappedRegion.openResized(file, 1024L * PAGE);
             WriteTracking tracking = startOrSkip(region.segment());
             FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {9}), 300L * PAGE);
            assertEquals(9, region.segment().get(ValueLayout.JAVA_BYTE, 300L * PAGE), "the mapping sees the pwrite");
            assertEquals("", pages(drain(tracking)), "tracking does not: that is what the scan backstop is for");
        }
    }

    @Test
    void tracksAnonymousMemoryAndClipsTheLastPartialPage() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(10L * PAGE + 100, PAGE);
            try (WriteTracking tracking = startOrSkip(memory)) {
                memory.set(ValueLayout.JAVA_BYTE, 10L * PAGE + 5, (byte) 1);
                List<long[]> ranges = drain(tracking);
                assertEquals(1, ranges.size());
                assertEquals(10L * PAGE, ranges.get(0)[0]);
                assertEquals(memory.byteSize(), ranges.get(0)[1]);
            }
        }
    }

    @Test
    void refusesHeapMemoryWithAReason() {
        TrackingUnavailableException e = assertThrows(TrackingUnavailableException.class,
                () -> WriteTracking.start(MemorySegment.ofArray(new byte[PAGE])));
        assertEquals("the segment is not a page-aligned native mapping (heap memory and slices off a page boundary"
                + " cannot be write-protected)", e.getMessage());
    }

    @Test
    void aClosedTrackerSaysSo() {
        try (Arena arena = Arena.ofShared()) {
            WriteTracking tracking = startOrSkip(arena.allocate(PAGE, PAGE));
            tracking.close();
            assertEquals("write tracking is closed", assertThrows(IOException.class, () -> drain(tracking)).getMessage());
        }
    }
}
