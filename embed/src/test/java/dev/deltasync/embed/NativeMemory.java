package dev.deltasync.embed;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Anonymous memory mapped through FFM for tests, of 4 KiB pages or backed by 2 MiB huge pages: hugetlbfs pages
 * ({@code MAP_HUGETLB}, from the pool an administrator reserves with {@code vm.nr_hugepages}) or transparent huge
 * pages ({@code madvise(MADV_HUGEPAGE)}); {@link #transparentUnavailable} says why those cannot be had here, and
 * tests skip with that reason. Also the calls that drop memory behind a mapping's back: {@code MADV_DONTNEED} and
 * {@code fallocate(PUNCH_HOLE)}.
 */
final class NativeMemory implements AutoCloseable {
    static final long HUGE_PAGE = 2L << 20;

    private static final int PROT_READ_WRITE = 0x3;
    private static final int O_RDWR = 2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MAP_HUGETLB = 0x40000;
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_HUGEPAGE = 14;
    private static final int FALLOC_FL_KEEP_SIZE_PUNCH_HOLE = 0x01 | 0x02;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = libc("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = libc("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = libc("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle FALLOCATE = libc("fallocate", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private final MemorySegment mapping;
    private final MemorySegment segment;

    private NativeMemory(MemorySegment mapping, MemorySegment segment) {
        this.mapping = mapping;
        this.segment = segment;
    }

    /** The memory asked for (the mapping may be larger, for alignment). */
    MemorySegment segment() {
        return segment;
    }

    /** {@code size} bytes (a multiple of 4 KiB) of plain anonymous memory, every page written once. */
    static NativeMemory plain(long size) throws Throwable {
        MemorySegment mapping = mapAnonymous(size, 0);
        NativeMemory memory = new NativeMemory(mapping, mapping);
        memory.segment.fill((byte) 0x5a);
        return memory;
    }

    /** {@code size} bytes (a multiple of 2 MiB) of hugetlbfs pages, or null when the pool cannot supply them. */
    static NativeMemory hugetlb(long size) throws Throwable {
        MemorySegment mapping;
        try {
            mapping = mapAnonymous(size, MAP_HUGETLB);
        } catch (IOException e) {
            return null;
        }
        NativeMemory memory = new NativeMemory(mapping, mapping);
        memory.segment.fill((byte) 0x5a);
        return memory;
    }

    /**
     * {@code size} bytes (a multiple of 2 MiB) of anonymous memory at a 2 MiB boundary, advised to be transparent
     * huge pages and written once, so the kernel backs it with them where it can (check {@link #transparentHugeBytes}).
     */
    static NativeMemory transparent(long size) throws Throwable {
        long length = size + HUGE_PAGE;
        MemorySegment mapping = mapAnonymous(length, 0);
        long aligned = (mapping.address() + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        MemorySegment segment = mapping.asSlice(aligned - mapping.address(), size);
        NativeMemory memory = new NativeMemory(mapping, segment);
        int advised = (int) MADVISE.invokeExact(segment, size, MADV_HUGEPAGE);
        if (advised != 0) {
            memory.close();
            throw new IOException("madvise(MADV_HUGEPAGE) failed");
        }
        segment.fill((byte) 0x5a);
        return memory;
    }

    /** {@code madvise(MADV_DONTNEED)}: the kernel drops {@code length} bytes from {@code offset}, zeroing them. */
    void dropPages(long offset, long length) throws Throwable {
        if ((int) MADVISE.invokeExact(segment.asSlice(offset), length, MADV_DONTNEED) != 0) {
            throw new IOException("madvise(MADV_DONTNEED) failed");
        }
    }

    /** {@code fallocate(PUNCH_HOLE | KEEP_SIZE)}: {@code file} reads as zeros over {@code length} from {@code offset}. */
    static void punchHole(Path file, long offset, long length) throws Throwable {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), O_RDWR);
        }
        if (fd < 0) {
            throw new IOException("cannot open " + file);
        }
        try {
            if ((int) FALLOCATE.invokeExact(fd, FALLOC_FL_KEEP_SIZE_PUNCH_HOLE, offset, length) != 0) {
                throw new IOException("fallocate(PUNCH_HOLE) failed on " + file);
            }
        } finally {
            int ignored = (int) CLOSE.invokeExact(fd);
        }
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

    private static MemorySegment mapAnonymous(long length, int flags) throws Throwable {
        MemorySegment mapping = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS | flags, -1, 0L);
        if (mapping.address() == -1L) {
            throw new IOException("mmap of " + length + " anonymous bytes failed");
        }
        return mapping.reinterpret(length);
    }

    private static MethodHandle libc(String name, FunctionDescriptor signature) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), signature);
    }
}
