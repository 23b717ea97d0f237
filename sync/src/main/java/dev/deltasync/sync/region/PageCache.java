package dev.deltasync.sync.region;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the page cache holds of a file, as {@code cachestat(2)} (Linux 6.5+) counts it. A trust pass needs to know
 * that no page of its file is dirty or under writeback when it starts: a page cleaned by writeback is write-protected
 * in every shared mapping, so its next write faults and moves the file's times, while a write into a page that a
 * mapping already holds dirty and writable moves no time at all.
 */
public final class PageCache {
    /** cachestat's number in the generic syscall table, which x86_64 and arm64 share from 424 on. */
    private static final long SYS_CACHESTAT = 451;
    private static final int O_RDONLY_NOFOLLOW_CLOEXEC = 0x80000 | 0x20000;

    private static final MethodHandle SYSCALL = Libc.downcall("syscall", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(1));

    private PageCache() {}

    /**
     * A file's pages in the cache, and of those how many are dirty or being written back (the counts of
     * {@code struct cachestat}, in pages).
     */
    public record Counts(FileIdentity file, long cached, long dirty, long writeback) {
        /** True when no page is dirty and none is being written back: every mapped page is write-protected. */
        public boolean clean() {
            return dirty == 0 && writeback == 0;
        }
    }

    /**
     * A {@code struct cachestat} (five u64 counts) with every count all ones, which no file's can be: one the
     * kernel did not fill (a call that did not run, a shorter struct) then reads as "cannot tell", never as clean.
     */
    static MemorySegment unfilled(Arena arena) {
        return arena.allocate(40, 8).fill((byte) 0xFF);
    }

    /** The counts in {@code stat}, filled by cachestat; empty when one of them is still as {@link #unfilled} left it. */
    static Optional<Counts> countsIn(FileIdentity file, MemorySegment stat) {
        long cached = stat.get(ValueLayout.JAVA_LONG, 0);
        long dirty = stat.get(ValueLayout.JAVA_LONG, 8);
        long writeback = stat.get(ValueLayout.JAVA_LONG, 16);
        return cached == -1 || dirty == -1 || writeback == -1 ? Optional.empty()
                : Optional.of(new Counts(file, cached, dirty, writeback));
    }

    /**
     * The counts for the whole file at {@code path} (not following a symlink there), and which file that was; empty
     * when the kernel cannot tell (no {@code cachestat}: ENOSYS before Linux 6.5, or another error) or the file
     * cannot be opened.
     */
    public static Optional<Counts> of(Path path) {
        int fd;
        try {
            fd = Ioctl.open(path.toString(), O_RDONLY_NOFOLLOW_CLOEXEC);
        } catch (Ioctl.Failure e) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            FileIdentity file = FileIdentity.of(Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:dev,ino"));
            MemorySegment range = arena.allocate(16, 8); // struct cachestat_range {u64 off; u64 len;}: 0, 0 = all
            MemorySegment stat = unfilled(arena);
            long rc = (long) SYSCALL.invokeExact(arena.allocate(Libc.CAPTURE_LAYOUT), SYS_CACHESTAT, fd, range, stat,
                    0);
            return rc != 0 ? Optional.empty() : countsIn(file, stat);
        } catch (Throwable e) {
            return Optional.empty();
        } finally {
            Ioctl.close(fd);
        }
    }
}
