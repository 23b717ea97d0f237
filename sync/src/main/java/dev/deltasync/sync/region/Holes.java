package dev.deltasync.sync.region;

import dev.deltasync.hashing.KnownZeros;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A mapped file's holes, from {@code lseek(2)} with {@code SEEK_DATA} and {@code SEEK_HOLE} on a descriptor of its
 * own: opened through {@code /proc/self/fd/N} of the region's locked descriptor, so it is the same inode whatever
 * the name now says, with its own file offset (lseek moves it), and closed only with the mapping, so a descriptor
 * number reused by another file is never asked. A file system without hole support answers "all data" (Linux's
 * generic lseek), and any error is taken as data: a wrong "data" costs a read, never a hidden byte.
 *
 * <p>Only file systems whose lseek consults the page cache are asked ({@link #trustsHoles}): where it looks at
 * written-back extents only (FUSE, virtiofs; OpenZFS 2.1 to 2.2.1 had such a bug), a page written through the
 * mapping but not yet written back reads as a hole, and a chunk holding data would get the zero digest. Any
 * other file system gets {@link KnownZeros#NONE}: every chunk is read.
 */
final class Holes implements KnownZeros, AutoCloseable {
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int O_RDONLY_CLOEXEC = 02000000;

    private static final MethodHandle LSEEK = Libc.downcall("lseek", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    /** statfs f_type of file systems whose SEEK_DATA/SEEK_HOLE see dirty page-cache pages (statfs(2) magics). */
    private static final Set<Long> PAGE_CACHE_AWARE = Set.of(FileSystemType.EXT4, FileSystemType.XFS,
            FileSystemType.BTRFS, FileSystemType.TMPFS, FileSystemType.F2FS);

    /** Look-ups share it, close takes it alone: a descriptor is never closed under a look-up. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private int fd;

    private Holes(int fd) {
        this.fd = fd;
    }

    /**
     * The holes of the file open as {@code fd}, or {@link KnownZeros#NONE} when no descriptor of its own opens or
     * its file system is not one whose holes can be trusted.
     */
    static KnownZeros of(int fd) {
        int own = Libc.reopen(fd, O_RDONLY_CLOEXEC);
        if (own < 0) {
            return KnownZeros.NONE;
        }
        Holes holes = new Holes(own);
        if (trustsHoles(FileSystemType.of(own))) {
            return holes;
        }
        holes.close();
        return KnownZeros.NONE;
    }

    /** True for a statfs {@code f_type} whose lseek holes account for pages not yet written back. */
    static boolean trustsHoles(long fileSystemType) {
        return PAGE_CACHE_AWARE.contains(fileSystemType);
    }

    @Override
    public long nextData(long from) {
        long at = seek(from, SEEK_DATA);
        // ENXIO: no data at or after from (from is inside a trailing hole, or at the end)
        return at >= 0 ? at : at == -Errno.ENXIO ? Long.MAX_VALUE : from;
    }

    @Override
    public long dataEnd(long from) {
        long at = seek(from, SEEK_HOLE);
        return at > from ? at : Long.MAX_VALUE;
    }

    /** lseek's answer, or minus errno. */
    private long seek(long offset, int whence) {
        lock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (fd < 0) {
                return -Errno.EBADF;
            }
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            long at = (long) LSEEK.invokeExact(capture, fd, offset, whence);
            return at >= 0 ? at : -Libc.errno(capture);
        } catch (Throwable t) {
            return -Errno.EBADF;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (fd >= 0) {
                Ioctl.close(fd);
                fd = -1;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
