package dev.deltasync.sync.region;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code ioctl(/proc/self/pagemap, PAGEMAP_SCAN)} ({@code <linux/fs.h>}, Linux 6.7+) asking for the pages written
 * since they were last write-protected, and write-protecting them again in the same walk
 * ({@code PM_SCAN_WP_MATCHING}): a write either lands before the walk passes its page and is reported now, or
 * after, and is reported by the next scan. {@code PM_SCAN_CHECK_WPASYNC} makes the kernel refuse a range that is
 * not registered in async write-protect mode instead of reporting nothing for it.
 */
final class PagemapScan implements AutoCloseable {
    private static final long PM_SCAN_WP_MATCHING = 1L << 0;
    private static final long PM_SCAN_CHECK_WPASYNC = 1L << 1;
    private static final long PAGE_IS_WRITTEN = 1L << 1;
    /** Ranges one call can return; a walk that fills them stops early and the next call goes on from there. */
    private static final int RANGES_PER_CALL = 1024;

    /** {@code struct pm_scan_arg}. */
    private static final StructLayout ARG = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("size"), ValueLayout.JAVA_LONG.withName("flags"),
            ValueLayout.JAVA_LONG.withName("start"), ValueLayout.JAVA_LONG.withName("end"),
            ValueLayout.JAVA_LONG.withName("walk_end"), ValueLayout.JAVA_LONG.withName("vec"),
            ValueLayout.JAVA_LONG.withName("vec_len"), ValueLayout.JAVA_LONG.withName("max_pages"),
            ValueLayout.JAVA_LONG.withName("category_inverted"), ValueLayout.JAVA_LONG.withName("category_mask"),
            ValueLayout.JAVA_LONG.withName("category_anyof_mask"), ValueLayout.JAVA_LONG.withName("return_mask"));
    /** {@code struct page_region}. */
    private static final StructLayout PAGE_REGION = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("start"), ValueLayout.JAVA_LONG.withName("end"),
            ValueLayout.JAVA_LONG.withName("categories"));
    private static final long PAGEMAP_SCAN = Ioctl.readWrite('f', 16, ARG.byteSize());

    private static final VarHandle SIZE = ARG.varHandle(groupElement("size"));
    private static final VarHandle FLAGS = ARG.varHandle(groupElement("flags"));
    private static final VarHandle START = ARG.varHandle(groupElement("start"));
    private static final VarHandle END = ARG.varHandle(groupElement("end"));
    private static final VarHandle WALK_END = ARG.varHandle(groupElement("walk_end"));
    private static final VarHandle VEC = ARG.varHandle(groupElement("vec"));
    private static final VarHandle VEC_LEN = ARG.varHandle(groupElement("vec_len"));
    private static final VarHandle CATEGORY_MASK = ARG.varHandle(groupElement("category_mask"));
    private static final VarHandle RETURN_MASK = ARG.varHandle(groupElement("return_mask"));
    private static final VarHandle REGION_START = PAGE_REGION.varHandle(groupElement("start"));
    private static final VarHandle REGION_END = PAGE_REGION.varHandle(groupElement("end"));

    /** Receives one written range, as addresses {@code [start, end)}. */
    @FunctionalInterface
    interface Ranges {
        void written(long start, long end);
    }

    private final int pagemap;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment arg = arena.allocate(ARG);
    private final MemorySegment vec = arena.allocate(PAGE_REGION, RANGES_PER_CALL);

    private PagemapScan(int pagemap) {
        this.pagemap = pagemap;
    }

    static PagemapScan open() throws Ioctl.Failure {
        return new PagemapScan(Ioctl.openReadOnly("/proc/self/pagemap"));
    }

    /** Reports every page of {@code [start, end)} written since its last protection, protecting it again. */
    synchronized void writtenSinceLast(long start, long end, Ranges ranges) throws Ioctl.Failure {
        long cursor = start;
        while (cursor < end) {
            arg.fill((byte) 0);
            SIZE.set(arg, 0L, ARG.byteSize());
            FLAGS.set(arg, 0L, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC);
            START.set(arg, 0L, cursor);
            END.set(arg, 0L, end);
            VEC.set(arg, 0L, vec.address());
            VEC_LEN.set(arg, 0L, (long) RANGES_PER_CALL);
            CATEGORY_MASK.set(arg, 0L, PAGE_IS_WRITTEN);
            RETURN_MASK.set(arg, 0L, PAGE_IS_WRITTEN);
            int found = Ioctl.call(pagemap, PAGEMAP_SCAN, arg, "PAGEMAP_SCAN");
            for (int i = 0; i < found; i++) {
                long offset = i * PAGE_REGION.byteSize();
                ranges.written((long) REGION_START.get(vec, offset), (long) REGION_END.get(vec, offset));
            }
            long walked = (long) WALK_END.get(arg, 0L);
            if (walked <= cursor) {
                throw new Ioctl.Failure("PAGEMAP_SCAN made no progress at 0x" + Long.toHexString(cursor));
            }
            cursor = walked;
        }
    }

    @Override
    public synchronized void close() {
        Ioctl.close(pagemap);
        arena.close();
    }
}
