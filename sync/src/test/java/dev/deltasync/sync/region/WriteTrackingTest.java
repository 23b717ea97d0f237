package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteTrackingTest {
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    /** Starts tracking, or skips the test with the reason printed where this machine cannot track. */
    static WriteTracking startOrSkip(MemorySegment segment) {
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
