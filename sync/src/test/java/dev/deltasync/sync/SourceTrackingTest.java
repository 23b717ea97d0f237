package dev.deltasync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.WriteTracking;
import dev.deltasync.sync.region.WriteTrackingTest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a source hashes only what tracking reported, and when it must scan everything. */
class SourceTrackingTest {
    private static final int CHUNK = 16384;

    @TempDir
    Path dir;

    private final List<String> modes = new CopyOnWriteArrayList<>();
    private final SyncListener listener = new SyncListener() {
        @Override
        public void scanMode(String region, ScanMode mode, String why) {
            modes.add(mode + ": " + why);
        }
    };

    @Test
    void theFirstScanIsFullThenOnlyWrittenChunksUntilAFullOneIsAskedFor() throws IOException {
        try (MappedRegion region = MappedRegion.openResized(dir.resolve("r.bin"), 64L * CHUNK)) {
            MemorySegment memory = region.segment();
            try (SourceTracking tracking = SourceTracking.tracked("r", WriteTrackingTest.startOrSkip(memory), Duration.ofHours(1),
                    listener)) {
                memory.set(ValueLayout.JAVA_BYTE, 3L * CHUNK, (byte) 1);
                assertNull(tracking.writtenChunks(CHUNK, false), "the first scan is a full one");
                memory.set(ValueLayout.JAVA_BYTE, 5L * CHUNK + 100, (byte) 1);
                memory.set(ValueLayout.JAVA_BYTE, 40L * CHUNK - 1, (byte) 1);
                BitSet expected = new BitSet();
                expected.set(5);
                expected.set(39);
                assertEquals(expected, tracking.writtenChunks(CHUNK, false));
                assertEquals(new BitSet(), tracking.writtenChunks(CHUNK, false));
                memory.set(ValueLayout.JAVA_BYTE, 7L * CHUNK, (byte) 1);
                assertNull(tracking.writtenChunks(CHUNK, true), "a full scan asked for (a new stream, a mismatch)");
                assertEquals(new BitSet(), tracking.writtenChunks(CHUNK, false), "which re-armed tracking first");
                assertEquals(ScanMode.TRACKED, tracking.mode());
            }
        }
    }

    @Test
    void aFullScanComesWhenItIsDue() throws Exception {
        try (MappedRegion region = MappedRegion.openResized(dir.resolve("d.bin"), 8L * CHUNK);
             SourceTracking tracking = SourceTracking.tracked("d", WriteTrackingTest.startOrSkip(region.segment()),
                     Duration.ofMillis(50), listener)) {
            assertNull(tracking.writtenChunks(CHUNK, false));
            Thread.sleep(100); // at least the period: a lower bound, never a race
            assertNull(tracking.writtenChunks(CHUNK, false), "the periodic full scan is due");
        }
    }

    @Test
    void aTrackingErrorFallsBackToScanningForGoodAndSaysSo() throws IOException {
        try (MappedRegion region = MappedRegion.openResized(dir.resolve("e.bin"), 8L * CHUNK)) {
            WriteTracking kernel = WriteTrackingTest.startOrSkip(region.segment());
            try (SourceTracking tracking = SourceTracking.tracked("e", kernel, Duration.ofHours(1), listener)) {
                assertNull(tracking.writtenChunks(CHUNK, false));
                assertNotNull(tracking.writtenChunks(CHUNK, false));
                kernel.close(); // the next drain fails as a kernel error would
                assertNull(tracking.writtenChunks(CHUNK, false));
                assertEquals(ScanMode.SCANNING, tracking.mode());
                assertNull(tracking.writtenChunks(CHUNK, false), "and stays off");
                assertEquals("SCANNING: write tracking failed (write tracking is closed); every epoch scans from now"
                        + " on", modes.getLast());
                assertEquals(2, modes.size());
            }
        }
    }

    @Test
    void turnedOffItAlwaysScans() {
        try (SourceTracking tracking = SourceTracking.start("off", MemorySegment.ofArray(new byte[CHUNK]), false,
                Duration.ofHours(1), listener)) {
            assertEquals(ScanMode.SCANNING, tracking.mode());
            assertNull(tracking.writtenChunks(CHUNK, false));
            assertEquals(List.of("SCANNING: write tracking is turned off"), modes);
        }
    }

    @Test
    void heapMemoryCannotBeTrackedAndTheReasonIsGiven() {
        try (SourceTracking tracking = SourceTracking.start("heap", MemorySegment.ofArray(new byte[CHUNK]), true,
                Duration.ofHours(1), listener)) {
            assertEquals(ScanMode.SCANNING, tracking.mode());
            assertEquals("SCANNING: the segment is not a page-aligned native mapping (heap memory and slices off a page"
                    + " boundary cannot be write-protected); every epoch scans", modes.getFirst());
        }
    }
}
