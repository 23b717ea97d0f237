package dev.deltasync.sync.region;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Which pages of a mapping in this process were written since the last look, as the kernel tracks them
 * (Linux 6.7+): the range is registered with a {@link Userfaultfd} in asynchronous write-protect mode and
 * protected; a write through the mapping makes the kernel clear that page's protection (no fault handler, no
 * thread waits), and {@link #drain} asks {@link PagemapScan} for the unprotected pages, protecting them again.
 *
 * <p>Only writes through this process's mappings of the pages are seen: a {@code pwrite} to the file, another
 * process's mapping or a truncate bypass them, so callers treat the result as a hint (which chunks to hash), never
 * as the truth about the region. Safe for use from several threads; {@link #drain} calls are serialized.
 */
public final class WriteTracking implements AutoCloseable {
    private static final long PAGE_SIZE = pageSize();

    /** Receives one written range of the segment, as offsets {@code [from, to)}. */
    @FunctionalInterface
    public interface Ranges {
        void written(long from, long to);
    }

    private final MemorySegment segment;
    private final long length;
    private final Userfaultfd uffd;
    private final PagemapScan pagemap;
    private boolean closed;

    private WriteTracking(MemorySegment segment, long length, Userfaultfd uffd, PagemapScan pagemap) {
        this.segment = segment;
        this.length = length;
        this.uffd = uffd;
        this.pagemap = pagemap;
    }

    /**
     * Starts tracking writes to {@code segment}, all of it protected from now on.
     *
     * @throws TrackingUnavailableException saying why this kernel, this process or this segment cannot be tracked
     */
    public static WriteTracking start(MemorySegment segment) throws TrackingUnavailableException {
        if (!System.getProperty("os.name").equals("Linux") || Userfaultfd.syscallNumber() < 0) {
            throw new TrackingUnavailableException("write tracking needs Linux on x86_64 or aarch64, not "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
        if (!segment.isNative() || segment.address() % PAGE_SIZE != 0 || segment.byteSize() == 0) {
            throw new TrackingUnavailableException("the segment is not a page-aligned native mapping"
                    + " (heap memory and slices off a page boundary cannot be write-protected)");
        }
        long supported = supportedFeatures();
        long needed = Userfaultfd.FEATURE_WP_ASYNC | Userfaultfd.FEATURE_WP_UNPOPULATED;
        if ((supported & needed) != needed) {
            throw new TrackingUnavailableException("the kernel lacks userfaultfd's asynchronous write-protect mode"
                    + " (UFFD_FEATURE_WP_ASYNC and WP_UNPOPULATED, Linux 6.7 or later)");
        }
        long length = (segment.byteSize() + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        Userfaultfd uffd = null;
        PagemapScan pagemap = null;
        boolean started = false;
        try {
            uffd = Userfaultfd.open();
            uffd.handshake(needed | (supported & Userfaultfd.FEATURE_WP_HUGETLBFS_SHMEM));
            uffd.registerWriteProtect(segment.address(), length);
            uffd.writeProtect(segment.address(), length);
            pagemap = PagemapScan.open();
            // Nothing can be reported yet: this checks that PAGEMAP_SCAN works here before anyone relies on it.
            pagemap.writtenSinceLast(segment.address(), segment.address() + length, (start, end) -> { });
            WriteTracking tracking = new WriteTracking(segment, length, uffd, pagemap);
            started = true;
            return tracking;
        } catch (Ioctl.Failure e) {
            throw new TrackingUnavailableException(explain(e));
        } finally {
            if (!started) { // also on a RuntimeException from a downcall: no descriptor stays registered
                if (pagemap != null) {
                    pagemap.close();
                }
                if (uffd != null) {
                    uffd.close();
                }
            }
        }
    }

    /** What the kernel's userfaultfd offers, from a descriptor opened only to ask. */
    private static long supportedFeatures() throws TrackingUnavailableException {
        try (Userfaultfd probe = Userfaultfd.open()) {
            return probe.handshake(0);
        } catch (Ioctl.Failure e) {
            throw new TrackingUnavailableException(explain(e));
        }
    }

    private static String explain(Ioctl.Failure e) {
        String detail = " (" + e.getMessage() + ")";
        return switch (e.errno()) {
            case Errno.ENOSYS -> "the kernel has no userfaultfd (built without CONFIG_USERFAULTFD), or a seccomp"
                    + " filter hides it" + detail;
            case Errno.EPERM, Errno.EACCES -> "userfaultfd is not permitted: a seccomp filter or security module"
                    + " forbids it (container runtimes' default profiles do; vm.unprivileged_userfaultfd does not"
                    + " matter, as only user-mode faults are asked for)" + detail;
            case Errno.EBUSY -> "this memory is already tracked by another userfaultfd (a second replicator of"
                    + " the same segment?)" + detail;
            case Errno.ENOTTY -> "the kernel has no PAGEMAP_SCAN ioctl (Linux 6.7 or later)" + detail;
            case Errno.EINVAL -> "the kernel refused userfaultfd write-protection of this mapping (too old for"
                    + " UFFD_USER_MODE_ONLY or async write-protect of this memory type: Linux 6.7 or later)" + detail;
            default -> "userfaultfd write tracking failed" + detail;
        };
    }

    /**
     * Calls {@code ranges} with every range written since the previous call (or since {@link #start}), in
     * ascending order, and protects those pages again in the same walk: a write racing this call is reported either
     * now or by the next call, never lost. Ranges are whole pages, clipped to the segment: a hugetlbfs page is
     * reported whole (2 MiB), while the kernel splits a transparent huge page into 4 KiB mappings when it protects
     * one (Linux 6.18: anonymous memory at the first write, shmem at start), so only its written 4 KiB pages are.
     *
     * @throws IOException when the kernel fails the scan: tracking can no longer be trusted
     */
    public synchronized void drain(Ranges ranges) throws IOException {
        if (closed) {
            throw new IOException("write tracking is closed");
        }
        long base = segment.address();
        long size = segment.byteSize();
        pagemap.writtenSinceLast(base, base + length, (start, end) ->
                ranges.written(Math.max(0, start - base), Math.min(size, end - base)));
    }

    /** Ends tracking; the mapping stays as it was, writable as ever. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            uffd.unregister(segment.address(), length);
            uffd.close();
            pagemap.close();
        }
    }

    private static long pageSize() {
        MethodHandle sysconf = Libc.downcall("sysconf", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            long size = (long) sysconf.invokeExact(arena.allocate(Libc.CAPTURE_LAYOUT), 30); // _SC_PAGESIZE
            return size > 0 ? size : 4096;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sysconf downcall failed", t);
        }
    }
}
