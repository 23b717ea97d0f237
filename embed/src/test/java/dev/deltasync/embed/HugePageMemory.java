package dev.deltasync.embed;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Anonymous memory backed by 2 MiB huge pages, for tests: hugetlbfs pages ({@code MAP_HUGETLB}, from the pool an
 * administrator reserves with {@code vm.nr_hugepages}) or transparent huge pages ({@code madvise(MADV_HUGEPAGE)}),
 * mapped through FFM. {@link #unavailable} says why a kind cannot be had here; tests skip with that reason.
 */
final class HugePageMemory implements AutoCloseable {
    static final long HUGE_PAGE = 2L << 20;

    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MAP_HUGETLB = 0x40000;
    private static final int MADV_HUGEPAGE = 14;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = libc("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = libc("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = libc("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private final MemorySegment mapping;
    private final MemorySegment segment;

    private HugePageMemory(MemorySegment mapping, MemorySegment segment) {
        this.mapping = mapping;
        this.segment = segment;
    }

    /** The huge-page-aligned memory, {@code size} bytes, every page already written once. */
    MemorySegment segment() {
        return segment;
    }

    /** {@code size} bytes (a multiple of 2 MiB) of hugetlbfs pages, or null when the pool cannot supply them. */
    static HugePageMemory hugetlb(long size) throws Throwable {
        MemorySegment mapping = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS | MAP_HUGETLB, -1, 0L);
        if (mapping.address() == -1L) {
            return null;
        }
        HugePageMemory memory = new HugePageMemory(mapping.reinterpret(size), mapping.reinterpret(size));
        memory.segment.fill((byte) 0x5a);
        return memory;
    }

    /**
     * {@code size} bytes (a multiple of 2 MiB) of anonymous memory at a 2 MiB boundary, advised to be transparent
     * huge pages and written once, so the kernel backs it with them where it can (check {@link #transparentHugeBytes}).
     */
    static HugePageMemory transparent(long size) throws Throwable {
        long length = size + HUGE_PAGE;
        MemorySegment mapping = ((MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS, -1, 0L)).reinterpret(length);
        if (mapping.address() == -1L) {
            throw new IOException("mmap of " + length + " anonymous bytes failed");
        }
        long aligned = (mapping.address() + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        MemorySegment segment = mapping.asSlice(aligned - mapping.address(), size);
        HugePageMemory memory = new HugePageMemory(mapping, segment);
        int advised = (int) MADVISE.invokeExact(segment, size, MADV_HUGEPAGE);
        if (advised != 0) {
            memory.close();
            throw new IOException("madvise(MADV_HUGEPAGE) failed");
        }
        segment.fill((byte) 0x5a);
        return memory;
    }

    /** The bytes of this memory's mapping that are mapped by transparent huge pages now (smaps' AnonHugePages). */
    long transparentHugeBytes() throws IOException {
        long address = segment.address();
        long kib = 0;
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long from = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long to = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = address >= from && address < to;
            } else if (inside && line.startsWith("AnonHugePages:")) {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib * 1024;
    }

    /** Why this machine gives no transparent huge pages for {@code madvise}d memory, or null if it may. */
    static String transparentUnavailable() throws IOException {
        Path enabled = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        if (!Files.exists(enabled)) {
            return "the kernel has no transparent huge pages (" + enabled + " is missing)";
        }
        String setting = Files.readString(enabled).trim();
        return setting.contains("[never]") ? "transparent huge pages are off (" + enabled + ": " + setting + ")" : null;
    }

    @Override
    public void close() {
        try {
            int ignored = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor signature) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), signature);
    }
}
