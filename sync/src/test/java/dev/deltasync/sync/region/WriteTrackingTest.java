package dev.deltasync.sync.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
    private static final int MADV_DONTNEED = 4;
    private static final int FALLOC_FL_KEEP_SIZE_PUNCH_HOLE = 0x01 | 0x02;
    private static final int O_RDWR = 2;
    private static final MethodHandle MADVISE = Libc.downcall("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle OPEN = Libc.downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FALLOCATE = Libc.downcall("fallocate", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

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

    /** {@code madvise(MADV_DONTNEED)} over {@code pages} pages of {@code memory} from page {@code first}. */
    private static void dropPages(MemorySegment memory, long first, long pages) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            int rc = (int) MADVISE.invokeExact(capture, memory.asSlice(first * PAGE), pages * PAGE, MADV_DONTNEED);
            assertEquals(0, rc, () -> "madvise failed: " + Errno.describe(Libc.errno(capture)));
        }
    }

    /** {@code fallocate(PUNCH_HOLE | KEEP_SIZE)} over {@code pages} pages of {@code file} from page {@code first}. */
    private static void punchHole(Path file, long first, long pages) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(file.toString()), O_RDWR);
            assertTrue(fd >= 0, () -> "open failed: " + Errno.describe(Libc.errno(capture)));
            try {
                int rc = (int) FALLOCATE.invokeExact(capture, fd, FALLOC_FL_KEEP_SIZE_PUNCH_HOLE, first * PAGE,
                        pages * PAGE);
                assertEquals(0, rc, () -> "fallocate failed: " + Errno.describe(Libc.errno(capture)));
            } finally {
                int ignored = (int) CLOSE.invokeExact(capture, fd);
            }
        }
    }

    @Test
    void madviseDontneedOnASharedFileMappingChangesNoByteAndIsNotReportedYetLaterWritesAre() throws Throwable {
        try (MappedRegion region = MappedRegion.openResized(dir.resolve("d.bin"), 64L * PAGE);
             WriteTracking tracking = startOrSkip(region.segment())) {
            MemorySegment memory = region.segment();
            memory.fill((byte) 3);
            drain(tracking);
            dropPages(memory, 4, 2);
            assertEquals("", pages(drain(tracking)), "dropping a shared file mapping's pages writes nothing");
            assertEquals(3, memory.get(ValueLayout.JAVA_BYTE, 4L * PAGE), "the page cache still holds the bytes");
            memory.set(ValueLayout.JAVA_BYTE, 5L * PAGE + 1, (byte) 5);
            assertEquals("[5,6)", pages(drain(tracking)), "a dropped page written again is reported");
        }
    }

    @Test
    void madviseDontneedOnAnonymousMemoryZeroesItAndIsReportedAsWritten() throws Throwable {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(64L * PAGE, PAGE);
            memory.fill((byte) 3);
            try (WriteTracking tracking = startOrSkip(memory)) {
                dropPages(memory, 8, 3);
                assertEquals("[8,11)", pages(drain(tracking)), "zeroed pages are changed pages");
                assertEquals(0, memory.get(ValueLayout.JAVA_BYTE, 9L * PAGE));
                assertEquals("", pages(drain(tracking)));
            }
        }
    }

    @Test
    void aHolePunchedIntoTheFileZeroesTheMappingUnreported() throws Throwable {
        Path file = dir.resolve("h.bin");
        try (MappedRegion region = MappedRegion.openResized(file, 64L * PAGE);
             WriteTracking tracking = startOrSkip(region.segment())) {
            MemorySegment memory = region.segment();
            memory.fill((byte) 3);
            drain(tracking);
            punchHole(file, 10, 3);
            assertEquals(0, memory.get(ValueLayout.JAVA_BYTE, 11L * PAGE), "the mapping sees the hole");
            assertEquals("", pages(drain(tracking)), "tracking does not, as with a pwrite: the full scan finds it");
            memory.set(ValueLayout.JAVA_BYTE, 11L * PAGE + 1, (byte) 5);
            assertEquals("[11,12)", pages(drain(tracking)), "a write into the hole is reported");
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
